/**
 * A small build for the cross-reference tests: TinyURL on its configured port (5000) released as a canary
 * through nginx, with one object of every kind the rules look at. Every call returns fresh objects, so a
 * test can break one thing and expect exactly the problem it causes.
 */
import { field, type KubeObject, type ManifestDocument, parseManifests } from "./manifests.ts";

const BUILD = `
apiVersion: v1
kind: ConfigMap
metadata: { name: tinyurl, namespace: canary }
data: { SERVICE: tinyurl, LOG_LEVEL: info }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: tinyurl, namespace: canary }
---
apiVersion: v1
kind: Service
metadata: { name: tinyurl, namespace: canary, labels: { app.kubernetes.io/name: tinyurl } }
spec:
  selector: { app.kubernetes.io/name: tinyurl }
  ports: [{ name: http, port: 5000, targetPort: http }]
---
apiVersion: v1
kind: Service
metadata: { name: tinyurl-canary, namespace: canary, labels: { app.kubernetes.io/name: tinyurl } }
spec:
  selector: { app.kubernetes.io/name: tinyurl }
  ports: [{ name: http, port: 5000, targetPort: http }]
---
apiVersion: v1
kind: Service
metadata:
  name: tinyurl-metrics
  namespace: canary
  labels: { app.kubernetes.io/name: tinyurl, app.kubernetes.io/component: metrics }
spec:
  clusterIP: None
  selector: { app.kubernetes.io/name: tinyurl }
  ports: [{ name: http, port: 5000, targetPort: http }]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: tinyurl, namespace: canary }
spec:
  ingressClassName: nginx
  rules:
    - host: tinyurl.localhost
      http:
        paths:
          - { path: /, pathType: Prefix, backend: { service: { name: tinyurl, port: { name: http } } } }
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: { name: error-rate, namespace: canary }
spec:
  args: [{ name: service-name }, { name: pod-hash }, { name: window, value: 2m }]
  metrics:
    - name: error-rate
      successCondition: result[0] <= 0.01
      provider:
        prometheus:
          address: http://prometheus:9090
          query: 'sum(rate(x{service="{{args.service-name}}",hash="{{args.pod-hash}}"}[{{args.window}}]))'
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: tinyurl, namespace: canary }
spec:
  selector: { matchLabels: { app.kubernetes.io/name: tinyurl } }
  template:
    metadata:
      labels: { app.kubernetes.io/name: tinyurl, app.kubernetes.io/version: "1.0.0" }
    spec:
      serviceAccountName: tinyurl
      containers:
        - name: tinyurl
          image: ghcr.io/canary-platform/canary:1.0.0
          ports: [{ name: http, containerPort: 5000 }]
          envFrom: [{ configMapRef: { name: tinyurl } }]
          env:
            - { name: AUTH_SECRET, valueFrom: { secretKeyRef: { name: canary-secrets, key: auth-secret } } }
            - { name: LOG_LEVEL, valueFrom: { configMapKeyRef: { name: tinyurl, key: LOG_LEVEL } } }
          livenessProbe: { httpGet: { path: /healthz, port: http } }
          readinessProbe: { httpGet: { path: /readyz, port: http } }
  strategy:
    canary:
      canaryService: tinyurl-canary
      stableService: tinyurl
      trafficRouting: { nginx: { stableIngress: tinyurl } }
      steps:
        - setWeight: 10
        - analysis:
            templates: [{ templateName: error-rate }]
            args:
              - { name: service-name, valueFrom: { fieldRef: { fieldPath: metadata.name } } }
              - { name: pod-hash, valueFrom: { podTemplateHashValue: Latest } }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: tinyurl, namespace: canary }
spec:
  scaleTargetRef: { apiVersion: argoproj.io/v1alpha1, kind: Rollout, name: tinyurl }
  maxReplicas: 3
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: tinyurl, namespace: canary }
spec:
  maxUnavailable: 1
  selector: { matchLabels: { app.kubernetes.io/name: tinyurl } }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: tinyurl, namespace: canary }
spec:
  podSelector: { matchLabels: { app.kubernetes.io/name: tinyurl } }
  policyTypes: [Ingress, Egress]
  ingress:
    - from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ingress-nginx } } }]
      ports: [{ port: http }]
  egress:
    - to: [{ podSelector: { matchLabels: { app.kubernetes.io/name: redis } } }]
      ports: [{ port: 6379 }]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: { name: tinyurl, namespace: canary }
spec:
  selector: { matchLabels: { app.kubernetes.io/component: metrics } }
  endpoints: [{ port: http }]
`;

/** A fresh copy of the fixture build. */
export function fixtureBuild(): ManifestDocument[] {
  return parseManifests(BUILD, "fixture.yaml");
}

/** The fixture's object of `kind` (and `name`, when several), to change in place. */
export function fixtureObject(documents: ManifestDocument[], kind: string, name = "tinyurl"): KubeObject {
  const found = documents.find((d) => d.object.kind === kind && field(d.object, "metadata", "name") === name);
  if (!found) throw new Error(`no ${kind}/${name} in the fixture`);
  return found.object;
}

/** The fixture's Rollout container, to change in place. */
export function fixtureContainer(documents: ManifestDocument[]): Record<string, unknown> {
  return field(fixtureObject(documents, "Rollout"), "spec", "template", "spec", "containers", 0) as Record<
    string,
    unknown
  >;
}
