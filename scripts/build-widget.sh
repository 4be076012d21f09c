#!/bin/sh
# Regenerates the committed chat bundles from src/widget (run after changing guichet-chat.src.js or the SignalR version):
#   wwwroot/widget/guichet-chat.js   the embeddable widget: SignalR's browser build + our code, in one closure (no globals)
#   wwwroot/lib/signalr/signalr.min.js   the same client for the agent console (a page of our own)
set -eu
cd "$(dirname "$0")/../src/widget"
npm ci --no-audit --no-fund >/dev/null
out=../Guichet/wwwroot
mkdir -p "$out/widget" "$out/lib/signalr"
signalr=node_modules/@microsoft/signalr/dist/browser/signalr.min.js
version=$(node -p 'require("@microsoft/signalr/package.json").version')
{
  echo "/*! Guichet chat widget — includes @microsoft/signalr $version (MIT, (c) .NET Foundation) */"
  echo "(function(){var exports={},module={exports:exports};"
  sed '/^\/\/# sourceMappingURL/d' "$signalr"
  echo ";var signalR=module.exports;"
  cat guichet-chat.src.js
  echo "})();"
} > "$out/widget/guichet-chat.js"
sed '/^\/\/# sourceMappingURL/d' "$signalr" > "$out/lib/signalr/signalr.min.js"
echo "built $out/widget/guichet-chat.js ($(wc -c < "$out/widget/guichet-chat.js") bytes)"
