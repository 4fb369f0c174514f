#!/usr/bin/env bash
# Renders every overlay into k8s/rendered/<overlay>.yaml with kustomize (kubectl's built-in, or the kustomize
# binary). The test suite validates those files against Kubernetes' typed models and, where kubectl is installed,
# checks that they are still what the overlays render to. Re-run after changing anything under k8s/.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p rendered
for overlay in overlays/*/; do
  name=$(basename "$overlay")
  if command -v kustomize >/dev/null 2>&1; then
    kustomize build "$overlay" > "rendered/$name.yaml"
  else
    kubectl kustomize "$overlay" > "rendered/$name.yaml"
  fi
  echo "rendered/$name.yaml"
done
