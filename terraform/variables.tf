variable "cluster_name" {
  description = "Name of the kind cluster (also the kubeconfig context, kind-<name>)."
  type        = string
  default     = "canary"
}

variable "node_image" {
  description = "kind node image; v1.36.1 is the default of kind v0.32, which the kind provider embeds."
  type        = string
  default     = "kindest/node:v1.36.1"
}

variable "worker_count" {
  description = "Worker nodes next to the control plane (which runs ingress-nginx)."
  type        = number
  default     = 1

  validation {
    condition     = var.worker_count >= 0 && var.worker_count <= 5
    error_message = "worker_count must be between 0 and 5."
  }
}

variable "kubeconfig_path" {
  description = "Where the cluster's kubeconfig is written (~ is expanded)."
  type        = string
  default     = "~/.kube/kind-canary"
}

variable "http_port" {
  description = "Host port kind maps to ingress-nginx's port 80."
  type        = number
  default     = 80
}

variable "https_port" {
  description = "Host port kind maps to ingress-nginx's port 443."
  type        = number
  default     = 443
}

variable "service_hosts" {
  description = "Hostnames of the services' Ingresses in k8s/ (*.localhost resolves to 127.0.0.1)."
  type        = map(string)
  default = {
    tinyurl  = "tinyurl.localhost"
    newsfeed = "newsfeed.localhost"
    docs     = "docs.localhost"
  }
}

# Chart versions: pinned so that an apply today and next month install the same thing.

variable "ingress_nginx_chart_version" {
  description = "ingress-nginx chart (https://kubernetes.github.io/ingress-nginx)."
  type        = string
  default     = "4.15.1"
}

variable "argo_cd_chart_version" {
  description = "argo-cd chart (https://argoproj.github.io/argo-helm)."
  type        = string
  default     = "10.1.1"
}

variable "argo_rollouts_chart_version" {
  description = "argo-rollouts chart (https://argoproj.github.io/argo-helm); app version v1.9.0."
  type        = string
  default     = "2.41.0"
}

variable "kube_prometheus_stack_chart_version" {
  description = "kube-prometheus-stack chart (https://prometheus-community.github.io/helm-charts)."
  type        = string
  default     = "88.5.3"
}

variable "redis_chart_version" {
  description = "Bitnami redis chart (oci://registry-1.docker.io/bitnamicharts/redis)."
  type        = string
  default     = "28.0.10"
}
