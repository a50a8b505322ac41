{{/* Names and labels shared by every object of the release. */}}

{{- define "securebase.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "securebase.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "securebase.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "securebase.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "securebase.labels" -}}
{{ include "securebase.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "securebase.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end -}}
{{- end -}}

{{/*
The pod-level half of the PodSecurity "restricted" profile: the image's user (uid
10001), never root, the runtime's default seccomp profile.
*/}}
{{- define "securebase.podSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  runAsGroup: 10001
  fsGroup: 10001
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{/* The container-level half: no privilege escalation, no capability, read-only root. */}}
{{- define "securebase.containerSecurityContext" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  runAsNonRoot: true
  capabilities:
    drop: ["ALL"]
{{- end -}}

{{/* The service's database URL (as securebase_app) and the keys, from their Secrets. */}}
{{- define "securebase.serviceEnv" -}}
- name: SECUREBASE_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.database.secretName }}
      key: {{ .Values.database.urlKey }}
{{- if .Values.keys.webhooks }}
- name: SECUREBASE_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.keys.secretName }}
      key: {{ .Values.keys.webhooks }}
{{- end }}
{{- if .Values.keys.reports }}
- name: SECUREBASE_SIGNING_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.keys.secretName }}
      key: {{ .Values.keys.reports }}
{{- end }}
- name: SECUREBASE_CACHE_DIR
  value: /cache
- name: RUST_LOG
  value: info
{{- end -}}

{{/* Writable paths under a read-only root: the plugin cache, the working directory, /tmp. */}}
{{- define "securebase.scratchMounts" -}}
volumeMounts:
  - name: cache
    mountPath: /cache
  - name: data
    mountPath: /data
  - name: tmp
    mountPath: /tmp
{{- end -}}

{{- define "securebase.scratchVolumes" -}}
volumes:
  - name: cache
    emptyDir:
      sizeLimit: 2Gi
  - name: data
    emptyDir:
      sizeLimit: 64Mi
  - name: tmp
    emptyDir:
      sizeLimit: 256Mi
{{- end -}}

{{/* Probes on a metrics listener: alive while it answers, ready while the database does. */}}
{{- define "securebase.probes" -}}
livenessProbe:
  httpGet:
    path: /healthz
    port: metrics
  periodSeconds: 20
  timeoutSeconds: 5
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /readyz
    port: metrics
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 3
startupProbe:
  httpGet:
    path: /healthz
    port: metrics
  periodSeconds: 5
  failureThreshold: 60
{{- end -}}

{{/* The egress every component needs: the cluster's DNS and PostgreSQL. */}}
{{- define "securebase.egressDnsAndDatabase" -}}
# Name resolution, from the cluster's DNS.
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
      podSelector:
        matchLabels:
          k8s-app: kube-dns
  ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
# PostgreSQL.
- to:
    {{- toYaml .Values.database.peers | nindent 4 }}
  ports:
    - protocol: TCP
      port: {{ .Values.database.port }}
{{- end -}}
