locals {
  namespaces = toset(["canary", "argocd", "argo-rollouts", "monitoring", "ingress-nginx"])

  # The Helm values files are the one source of the hostnames: the outputs read them back.
  argo_cd_values               = yamldecode(file("${path.module}/values/argo-cd.yaml"))
  argo_rollouts_values         = yamldecode(file("${path.module}/values/argo-rollouts.yaml"))
  kube_prometheus_stack_values = yamldecode(file("${path.module}/values/kube-prometheus-stack.yaml"))

  # kind maps the node's port 80 to this host port; URLs carry it only when it is not the default.
  http_port_suffix = var.http_port == 80 ? "" : ":${var.http_port}"
}

resource "kind_cluster" "this" {
  name            = var.cluster_name
  node_image      = var.node_image
  kubeconfig_path = pathexpand(var.kubeconfig_path)
  wait_for_ready  = true

  kind_config {
    kind        = "Cluster"
    api_version = "kind.x-k8s.io/v1alpha4"

    node {
      role = "control-plane"

      # ingress-nginx is pinned to this node (nodeSelector ingress-ready=true) and binds its host ports,
      # which kind publishes on the machine running Docker.
      labels = {
        "ingress-ready" = "true"
      }

      extra_port_mappings {
        container_port = 80
        host_port      = var.http_port
        protocol       = "TCP"
      }

      extra_port_mappings {
        container_port = 443
        host_port      = var.https_port
        protocol       = "TCP"
      }
    }

    dynamic "node" {
      for_each = range(var.worker_count)

      content {
        role = "worker"
      }
    }
  }
}

resource "kubernetes_namespace_v1" "this" {
  for_each = local.namespaces

  metadata {
    name = each.key

    labels = {
      "app.kubernetes.io/part-of" = "canary"
    }
  }
}

# First: it installs the ServiceMonitor and PrometheusRule CRDs the other charts create objects of.
resource "helm_release" "kube_prometheus_stack" {
  name       = "kube-prometheus-stack"
  repository = "https://prometheus-community.github.io/helm-charts"
  chart      = "kube-prometheus-stack"
  version    = var.kube_prometheus_stack_chart_version
  namespace  = kubernetes_namespace_v1.this["monitoring"].metadata[0].name
  values     = [file("${path.module}/values/kube-prometheus-stack.yaml")]
  timeout    = 900
}

resource "helm_release" "ingress_nginx" {
  name       = "ingress-nginx"
  repository = "https://kubernetes.github.io/ingress-nginx"
  chart      = "ingress-nginx"
  version    = var.ingress_nginx_chart_version
  namespace  = kubernetes_namespace_v1.this["ingress-nginx"].metadata[0].name
  values     = [file("${path.module}/values/ingress-nginx.yaml")]
  timeout    = 600

  depends_on = [helm_release.kube_prometheus_stack]
}

# The Ingresses below are admitted by ingress-nginx's validating webhook, so it must be serving first.
resource "helm_release" "argo_cd" {
  name       = "argo-cd"
  repository = "https://argoproj.github.io/argo-helm"
  chart      = "argo-cd"
  version    = var.argo_cd_chart_version
  namespace  = kubernetes_namespace_v1.this["argocd"].metadata[0].name
  values     = [file("${path.module}/values/argo-cd.yaml")]
  timeout    = 900

  depends_on = [helm_release.ingress_nginx, helm_release.kube_prometheus_stack]
}

resource "helm_release" "argo_rollouts" {
  name       = "argo-rollouts"
  repository = "https://argoproj.github.io/argo-helm"
  chart      = "argo-rollouts"
  version    = var.argo_rollouts_chart_version
  namespace  = kubernetes_namespace_v1.this["argo-rollouts"].metadata[0].name
  values     = [file("${path.module}/values/argo-rollouts.yaml")]
  timeout    = 600

  depends_on = [helm_release.ingress_nginx, helm_release.kube_prometheus_stack]
}

# The password comes from the Secret canary-redis, which is created by hand (see README), never by
# Terraform: the pod waits for it, so Terraform does not.
resource "helm_release" "redis" {
  name       = "redis"
  repository = "oci://registry-1.docker.io/bitnamicharts"
  chart      = "redis"
  version    = var.redis_chart_version
  namespace  = kubernetes_namespace_v1.this["canary"].metadata[0].name
  values     = [file("${path.module}/values/redis.yaml")]
  wait       = false
}
