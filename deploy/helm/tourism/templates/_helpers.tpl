{{/* Names: every object is "<release>-<what>". */}}
{{- define "tourism.name" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tourism.serviceAccountName" -}}
{{- default .Release.Name .Values.serviceAccount.name -}}
{{- end -}}

{{- define "tourism.secretName" -}}
{{- default .Release.Name .Values.secrets.existingSecret -}}
{{- end -}}

{{/* Labels. Selector labels never carry a version, so selectors stay stable across upgrades. */}}
{{- define "tourism.selectorLabels" -}}
app.kubernetes.io/name: tourism
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- with .app }}
tourism/app: {{ . }}
{{- end }}
{{- end -}}

{{- define "tourism.labels" -}}
{{ include "tourism.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/* The components that run: the enabled apps in services mode, or the monolith and its
extracted apps. */}}
{{- define "tourism.components" -}}
{{- if eq .Values.mode "monolith" -}}
monolith: {{- toYaml .Values.monolith | nindent 2 }}
{{- range $name := .Values.extracted }}
{{ $name }}: {{- toYaml (get $.Values.apps $name) | nindent 2 }}
{{- end }}
{{- else -}}
{{- if not .Values.apps.catalog.enabled -}}
{{- fail "apps.catalog must stay enabled: it is the front service (admin home, API docs, static files)" -}}
{{- end -}}
{{- range $name, $app := .Values.apps }}
{{- if $app.enabled }}
{{ $name }}: {{- toYaml $app | nindent 2 }}
{{- end }}
{{- end }}
{{- end -}}
{{- end -}}

{{/* Where an app is served: its own component, or the monolith's in monolith mode. */}}
{{- define "tourism.serves" -}}
{{- if or (ne .root.Values.mode "monolith") (has .app .root.Values.extracted) -}}
{{- .app -}}
{{- else -}}
monolith
{{- end -}}
{{- end -}}

{{/* Databases: one per component, plus identity in services mode (a hybrid's identity
database is the monolith's). */}}
{{- define "tourism.databases" -}}
{{- $databases := keys (include "tourism.components" . | fromYaml) -}}
{{- if ne .Values.mode "monolith" -}}
{{- $databases = append $databases "identity" -}}
{{- end -}}
{{- toJson (sortAlpha $databases) -}}
{{- end -}}

{{/* Every database a release may use in any mode or hybrid: the in-chart PostgreSQL
creates them all at its first start, so moving an app out of (or back into) the monolith
needs no new database and never restarts PostgreSQL. */}}
{{- define "tourism.allDatabases" -}}
{{- toJson (sortAlpha (concat (keys .Values.apps) (list "identity" "monolith"))) -}}
{{- end -}}

{{- define "tourism.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* Pod Security Standards "restricted", for every pod and container. */}}
{{- define "tourism.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid }}
runAsGroup: {{ .uid }}
fsGroup: {{ .uid }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "tourism.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/* Non-secret settings of a component: what its ConfigMap holds. */}}
{{- define "tourism.config" -}}
{{- $root := .root -}}
{{- $url := printf "%s://%s" (ternary "https" "http" $root.Values.ingress.tls.enabled) $root.Values.host -}}
{{- $config := dict
  "DJANGO_SETTINGS_MODULE" (printf "config.settings.%s" .name)
  "DJANGO_DEBUG" "0"
  "DJANGO_ALLOWED_HOSTS" (printf "%s,%s,localhost" $root.Values.host (include "tourism.name" (dict "root" $root "name" .name)))
  "DJANGO_CSRF_TRUSTED_ORIGINS" $url
  "DJANGO_SECURE_SSL_REDIRECT" (ternary "1" "0" $root.Values.config.secureSslRedirect)
  "PUBLIC_BASE_URL" $url
  "METRICS_PORT" (toString $root.Values.metrics.port)
-}}
{{- with $root.Values.tracing.endpoint -}}
{{- $_ := set $config "OTEL_EXPORTER_OTLP_ENDPOINT" . -}}
{{- $_ := set $config "OTEL_TRACES_SAMPLER" $root.Values.tracing.sampler -}}
{{- $_ := set $config "OTEL_TRACES_SAMPLER_ARG" (toString $root.Values.tracing.samplerArg) -}}
{{- $_ := set $config "TRACE_QUERIES" (ternary "1" "0" $root.Values.tracing.queries) -}}
{{- end -}}
{{- if has .name (list "monolith" "payments") -}}
{{- $_ := set $config "PAYMENT_GATEWAY" $root.Values.config.paymentGateway -}}
{{- end -}}
{{- if and (eq .name "monolith") $root.Values.extracted -}}
{{- $_ := set $config "REMOTE_APPS" (join "," $root.Values.extracted) -}}
{{- end -}}
{{- range $peer, $app := $root.Values.apps -}}
{{- $serves := include "tourism.serves" (dict "root" $root "app" $peer) -}}
{{- $needed := ternary (gt (len $root.Values.extracted) 0) (or (eq $root.Values.mode "monolith") $app.enabled) (eq $.name "monolith") -}}
{{- if and $needed (or (ne $serves $.name) (eq $.name "monolith")) -}}
{{- $_ := set $config (printf "%s_SERVICE_URL" (upper $peer)) (printf "http://%s:8000" (include "tourism.name" (dict "root" $root "name" $serves))) -}}
{{- end -}}
{{- end -}}
{{- range $key, $value := .component.env -}}
{{- if hasKey $config $key -}}
{{- fail (printf "env.%s is set by the chart; change it through its own value" $key) -}}
{{- end -}}
{{- $_ := set $config $key (toString $value) -}}
{{- end -}}
{{- toYaml $config -}}
{{- end -}}

{{/* The environment of every container of a component: its ConfigMap and the secrets. */}}
{{- define "tourism.env" -}}
envFrom:
  - configMapRef:
      name: {{ include "tourism.name" (dict "root" .root "name" .name) }}
env:
  {{- $secret := include "tourism.secretName" .root }}
  {{- $keys := dict "DJANGO_SECRET_KEY" "DJANGO_SECRET_KEY" "SERVICE_TOKEN" "SERVICE_TOKEN" "CELERY_BROKER_URL" "CELERY_BROKER_URL" "CACHE_URL" "CACHE_URL" "EMAIL_URL" "EMAIL_URL" "DATABASE_URL" (printf "%s_DATABASE_URL" (upper .name)) }}
  {{- if ne .name "monolith" }}
  {{- $identity := ternary "MONOLITH_DATABASE_URL" "IDENTITY_DATABASE_URL" (eq .root.Values.mode "monolith") }}
  {{- $_ := set $keys "IDENTITY_DATABASE_URL" $identity }}
  {{- end }}
  {{- if has .name (list "monolith" "payments") }}
  {{- $_ := set $keys "PAYMENT_GATEWAY_API_KEY" "PAYMENT_GATEWAY_API_KEY" }}
  {{- end }}
  {{- range $variable, $key := $keys }}
  - name: {{ $variable }}
    valueFrom:
      secretKeyRef:
        name: {{ $secret }}
        key: {{ $key }}
  {{- end }}
{{- end -}}

{{/* Rolls pods when their settings change. */}}
{{- define "tourism.checksum" -}}
checksum/config: {{ include "tourism.config" . | sha256sum }}
{{- if not .root.Values.secrets.existingSecret }}
checksum/secret: {{ include (print .root.Template.BasePath "/secret.yaml") .root | sha256sum }}
{{- end }}
{{- end -}}

{{- define "tourism.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end -}}

{{- define "tourism.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* A Django container: image, environment, security, /tmp. */}}
{{- define "tourism.djangoContainer" -}}
image: {{ include "tourism.image" .root }}
imagePullPolicy: {{ .root.Values.image.pullPolicy }}
{{ include "tourism.env" . }}
securityContext:
  {{- include "tourism.containerSecurityContext" . | nindent 2 }}
volumeMounts:
  {{- include "tourism.tmpMount" . | nindent 2 }}
{{- end -}}

{{/* The pod-level settings every pod shares, run as .uid (Django: 10001, nginx: 101). */}}
{{- define "tourism.pod" -}}
serviceAccountName: {{ include "tourism.serviceAccountName" .root }}
automountServiceAccountToken: false
securityContext:
  {{- include "tourism.podSecurityContext" (dict "uid" .uid) | nindent 2 }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
volumes:
  {{- include "tourism.tmpVolume" . | nindent 2 }}
{{- with .root.Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .root.Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .root.Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "tourism.djangoPod" -}}
{{ include "tourism.pod" (dict "root" .root "uid" 10001) }}
{{- end -}}

{{/* A HorizontalPodAutoscaler on CPU for one Deployment (web or worker). */}}
{{- define "tourism.hpa" -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ .name }}
  labels:
    {{- include "tourism.labels" .labels | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ .name }}
  minReplicas: {{ .autoscaling.minReplicas }}
  maxReplicas: {{ .autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .autoscaling.targetCPUUtilizationPercentage }}
    {{- with .autoscaling.requestsPerSecond }}
    {{- if .enabled }}
    - type: Pods
      pods:
        metric:
          name: {{ .metric }}
        target:
          type: AverageValue
          averageValue: {{ .target | quote }}
    {{- end }}
    {{- end }}
  {{- with .autoscaling.behavior }}
  behavior:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}

{{/* Processes start once this component's database is migrated (the release's Job does it). */}}
{{- define "tourism.waitForMigrations" -}}
- name: wait-for-migrations
  {{- include "tourism.djangoContainer" . | nindent 2 }}
  args:
    - sh
    - -c
    - until python manage.py migrate --check >/dev/null; do echo "waiting for migrations"; sleep 5; done
  resources:
    {{- toYaml .root.Values.migrations.resources | nindent 4 }}
{{- end -}}

{{/* Worker, beat and relay probes: their databases and the broker answer (kernel/health.py). */}}
{{- define "tourism.processProbe" -}}
exec:
  command: [python, manage.py, healthcheck]
periodSeconds: 60
timeoutSeconds: 30
failureThreshold: 3
{{- end -}}
