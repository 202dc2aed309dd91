{{- define "java-service.labels" -}}
app.kubernetes.io/name: {{ .name }}
{{- end }}
