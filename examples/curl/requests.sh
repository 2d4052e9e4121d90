#!/usr/bin/env bash
# Calls every endpoint of the intent API with curl, printing each command
# and the server's answer. examples/curl/README.md shows one run of it.
#
#   bash examples/curl/requests.sh                 # server on localhost:4002
#   API_URL=http://host:8080 bash examples/curl/requests.sh
#
# Needs curl and, for the batch-size example, jq. The examples that ask for
# version=1 expect a models folder with at least one version.
set -u
API="${API_URL:-http://localhost:4002}"

# run prints a command (with $API spelled out) and runs it.
run() {
	printf '$ %s\n' "${1//\$API/$API}"
	eval "$1"
	echo
}

echo '## Health'
run 'curl -s $API/healthz'
run 'curl -sI $API/healthz'
run 'curl -s $API/readyz'

echo '## One question'
run 'curl -s -G $API/intent --data-urlencode "query=risques poisson cru pendant la grossesse ?"'
run 'curl -s -G $API/intent --data-urlencode "query=risques poisson cru pendant la grossesse ?" | jq'
run 'curl -s -G $API/intent --data-urlencode "query=risques poisson cru pendant la grossesse ?" --data-urlencode "top=3"'
run 'curl -s -G $API/intent --data-urlencode "query=risques poisson cru pendant la grossesse ?" --data-urlencode "version=1"'

echo '## Batch'
run 'curl -s $API/intent -H "Content-Type: application/json" -d '"'"'{"queries": ["risques poisson cru pendant la grossesse ?", "combien de doliprane par jour maximum", "est-ce rembourse par la secu ?"]}'"'"''
run 'curl -s $API/intent -d '"'"'{"queries": ["puis-je prendre de l ibuprofene avec de l alcool ?"], "top": 2, "version": 1}'"'"''

echo '## Errors'
run 'curl -s -w "HTTP %{http_code}\n" $API/intent'
run 'curl -s -w "HTTP %{http_code}\n" "$API/intent?query="'
run 'curl -s -w "HTTP %{http_code}\n" "$API/intent?query=%FF"'
run 'curl -s -w "HTTP %{http_code}\n" -G $API/intent --data-urlencode "query=grossesse" --data-urlencode "top=0"'
run 'curl -s -w "HTTP %{http_code}\n" -G $API/intent --data-urlencode "query=grossesse" --data-urlencode "version=abc"'
run 'curl -s -w "HTTP %{http_code}\n" -G $API/intent --data-urlencode "query=grossesse" --data-urlencode "version=99"'
run 'curl -s -w "HTTP %{http_code}\n" $API/nope'
run 'curl -si -X DELETE $API/intent'
run 'curl -s -w "HTTP %{http_code}\n" -G $API/intent --data-urlencode "query=$(head -c 10001 /dev/zero | tr "\0" a)"'
run 'printf "{\"queries\": [\"%s\"]}" "$(head -c 1048577 /dev/zero | tr "\0" a)" | curl -s -w "HTTP %{http_code}\n" $API/intent --data-binary @-'
run 'jq -n "{queries: [range(1001) | \"question \\(.)\"]}" | curl -s -w "HTTP %{http_code}\n" $API/intent --data-binary @-'
run 'curl -s -w "HTTP %{http_code}\n" $API/intent -d "{\"query\": \"grossesse\"}"'
run 'curl -s -w "HTTP %{http_code}\n" $API/intent -d "{\"queries\": [\"grossesse\", \"\"]}"'

echo '## Metrics'
run 'curl -s $API/metrics | grep -E "^intent_model"'
