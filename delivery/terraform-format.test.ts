// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} in these strings is Terraform interpolation syntax, not a mistaken template literal.
import { describe, expect, it } from "vitest";
import { terraformFormatProblems } from "./terraform-format.ts";

const lines = (...text: string[]) => `${text.join("\n")}\n`;
const rules = (source: string) => terraformFormatProblems(source).map((p) => `${p.line} ${p.rule}`);

describe("terraformFormatProblems accepts what terraform fmt writes", () => {
  it.each([
    [
      "aligned attributes, a multi-line value outside the chain",
      lines(
        'resource "helm_release" "x" {',
        '  name       = "x"',
        '  repository = "https://example.com"',
        '  values     = [file("${path.module}/values/x.yaml")]',
        "  set = [",
        '    { name = "a", value = "b" },',
        "  ]",
        "",
        "  depends_on = [kind_cluster.this]",
        "}",
      ),
    ],
    [
      "brackets opened on one line indent one level; hclwrite indents a line that closes and opens as inside",
      lines("locals {", "  a = merge({", "    b = 1", "    }, {", "    c = 2", "  })", "}"),
    ],
    [
      "operators that contain = are not assignments",
      lines(
        "locals {",
        '  suffix = var.port == 80 ? "" : ":${var.port}"',
        "  hosts  = { for k, v in var.m : k => v if v != null }",
        "}",
      ),
    ],
    [
      "a heredoc body is left alone and belongs to the line that opened it",
      lines("locals {", "  script = <<-EOT", "      anything   =   goes", "  EOT", "  b      = 1", "}"),
    ],
    [
      "trailing comments aligned in their own chain",
      lines("locals {", "  a  = 1  # one", "  bb = 22 # two", "  # a comment line", "  c = 3", "}"),
    ],
    ["a multi-line block comment", lines("/* one", "   two =   3", "*/", 'variable "x" {}')],
    ["an empty object and a one-line object", lines("locals {", "  a = {}", '  b = { x = "y" }', "}")],
  ])("%s", (_name, source) => {
    expect(terraformFormatProblems(source)).toEqual([]);
  });
});

describe("terraformFormatProblems reports what terraform fmt would change", () => {
  it("= signs out of line, either way", () => {
    expect(
      terraformFormatProblems(lines('resource "a_b" "c" {', '  name = "x"', '  namespace = "y"', "}")),
    ).toEqual([{ line: 2, rule: "align-=", message: "= at column 8, fmt puts it at 13" }]);
    expect(rules(lines("locals {", "  name   = 1", "  ns  = 2", "}"))).toEqual(["2 align-=", "3 align-="]);
  });

  it("indentation that is not two spaces per open bracket", () => {
    expect(rules(lines("locals {", "   a = 1", "  b = {", "  c = 1", "    }", "}"))).toEqual([
      "2 indent",
      "4 indent",
      "5 indent",
    ]);
    expect(rules(lines("locals {", "\ta = 1", "}"))).toEqual(["2 indent"]);
  });

  it("spacing inside brackets, around commas and after =", () => {
    expect(
      rules(lines("locals {", '  a = [ "x" ]', "  b = {c = 1}", "  d = f( 1,2 )", "  e =  1", "}")),
    ).toEqual([
      "2 spacing",
      "2 spacing",
      "3 spacing",
      "3 spacing",
      "4 spacing",
      "4 spacing",
      "4 spacing",
      "5 spacing",
    ]);
    expect(rules(lines("locals {", '  a = "${ var.x }/y"', "  b = f(x)  + 1", "}"))).toEqual([
      "2 spacing",
      "2 spacing",
      "3 spacing",
    ]);
  });

  it("an interpolation-only string and a quoted type constraint", () => {
    expect(rules(lines('output "x" {', '  value = "${var.x}"', "}"))).toEqual(["2 interpolation-only"]);
    expect(rules(lines('output "x" {', '  value = "${var.x}/y"', "}"))).toEqual([]);
    expect(rules(lines('variable "x" {', '  type = "string"', "}"))).toEqual(["2 quoted-type"]);
    expect(rules(lines('resource "a_b" "c" {', '  type = "NodePort"', "}"))).toEqual([]);
  });

  it("trailing comments out of line", () => {
    expect(rules(lines("locals {", "  a  = 1 # one", "  bb = 2    # two", "}"))).toEqual(["3 align-comment"]);
  });

  it("whitespace: trailing spaces, line endings, the end of the file, blank lines", () => {
    expect(rules("locals {\n  a = 1 \n}\n")).toEqual(["2 trailing-space"]);
    expect(rules("locals {\n  a = 1\n}")).toEqual(["3 style-newline"]);
    expect(rules("locals {\n  a = 1\n}\n\n")).toEqual(["5 style-newline"]);
    expect(rules("locals {\r\n  a = 1\r\n}\r\n")).toContain("1 style-newline");
    expect(rules("\nlocals {\n\n\n  a = 1\n}\n")).toEqual(["1 style-blank-lines", "4 style-blank-lines"]);
  });
});
