output "cluster_name" {
  description = "The kind cluster's name (kubectl context kind-<name>)."
  value       = kind_cluster.this.name
}

output "kubeconfig_path" {
  description = "kubeconfig for this cluster: export KUBECONFIG=<this>."
  value       = kind_cluster.this.kubeconfig_path
}

output "argocd_url" {
  description = "Argo CD UI and API (user admin; password: see argocd_admin_password_command)."
  value       = "http://${local.argo_cd_values.server.ingress.hostname}${local.http_port_suffix}"
}

output "argocd_admin_password_command" {
  description = "Prints Argo CD's initial admin password."
  value       = "kubectl -n argocd get secret argocd-initial-admin-secret -o jsonpath='{.data.password}' | base64 -d"
}

output "argo_rollouts_dashboard_url" {
  description = "Argo Rollouts dashboard."
  value       = "http://${local.argo_rollouts_values.dashboard.ingress.hosts[0]}${local.http_port_suffix}"
}

output "grafana_url" {
  description = "Grafana (user admin; password: see grafana_admin_password_command)."
  value       = "http://${local.kube_prometheus_stack_values.grafana.ingress.hosts[0]}${local.http_port_suffix}"
}

output "grafana_admin_password_command" {
  description = "Prints Grafana's generated admin password."
  value       = "kubectl -n monitoring get secret kube-prometheus-stack-grafana -o jsonpath='{.data.admin-password}' | base64 -d"
}

output "prometheus_url" {
  description = "Prometheus UI and HTTP API."
  value       = "http://${local.kube_prometheus_stack_values.prometheus.ingress.hosts[0]}${local.http_port_suffix}"
}

output "service_urls" {
  description = "The services through ingress-nginx, once Argo CD has synced k8s/."
  value       = { for name, host in var.service_hosts : name => "http://${host}${local.http_port_suffix}" }
}

output "prometheus_in_cluster_url" {
  description = "The address AnalysisTemplates query."
  value       = "http://kube-prometheus-stack-prometheus.monitoring:9090"
}
