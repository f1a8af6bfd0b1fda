import { readFile } from "node:fs/promises";
import type { PrdInput } from "./parse.ts";

/** Non-fatal UTF-8: broken bytes become U+FFFD (reported as a warning by the parser) instead of throwing. */
const utf8 = new TextDecoder("utf-8", { fatal: false });

/** Reads PRD files in the order given; `file` keeps each path as given, for `file:line` messages. */
export async function readPrdFiles(paths: string[]): Promise<PrdInput[]> {
  return Promise.all(paths.map(async (file) => ({ file, text: utf8.decode(await readFile(file)) })));
}
