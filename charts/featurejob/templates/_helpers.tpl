{{/* The release's name for cluster-scoped and namespaced objects: "featurejob" for a release called featurejob. */}}
{{- define "featurejob.fullname" -}}
{{- if contains "featurejob" .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-featurejob" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "featurejob.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: featurejob
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: featurejob
{{- end -}}

{{/* The operator pods. Executor pods carry app.kubernetes.io/component planner|executor, never these. */}}
{{- define "featurejob.operatorSelector" -}}
app.kubernetes.io/name: featurejob
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "featurejob.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "featurejob.executorImage" -}}
{{- if .Values.executor.image.repository -}}
{{- printf "%s:%s" .Values.executor.image.repository (default (default .Chart.AppVersion .Values.image.tag) .Values.executor.image.tag) -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default (default .Chart.AppVersion .Values.image.tag) .Values.executor.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* Where FeatureJobs run: the executor ServiceAccount and NetworkPolicy go to each. */}}
{{- define "featurejob.executorNamespaces" -}}
{{- if .Values.executor.namespaces -}}
{{- toJson (uniq .Values.executor.namespaces) -}}
{{- else -}}
{{- toJson (list .Release.Namespace) -}}
{{- end -}}
{{- end -}}

{{/* --executor-defaults: the operator parses it with ExecutorDefaultsSchema (operator/config/operator-config.ts). */}}
{{- define "featurejob.executorDefaults" -}}
{{- $r := .Values.executor.resources -}}
{{- toJson (dict "nodeSelector" .Values.executor.nodeSelector "tolerations" .Values.executor.tolerations "requests" $r.requests "limits" $r.limits "serviceAccountName" .Values.executor.serviceAccount.name "scratchSizeLimit" .Values.executor.scratchSizeLimit) -}}
{{- end -}}
