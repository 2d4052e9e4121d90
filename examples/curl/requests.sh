#!/usr/bin/env bash
# Calls every endpoint of the intent API with curl, printing each command
# and the server's answer. examples/curl/README.md shows one run of it.
#
#   bash examples/curl/requests.sh                 # server on localhost:4002
#   API_URL=http://host:8080 bash examples/curl/requests.sh
#
# Needs curl and jq. It can be run again and again on the same server: the
# numbers it needs are read from the server's answers, not assumed. OLD, the
# version asked for with version=N, is the oldest available version in GET
# /models (1 on a fresh models folder); the uploaded version, the example
# deleted and the training tasks are the ones the server answered with.
# The examples that change versions need the server's token in API_TOKEN
# (the server must be started with the same API_TOKEN) and upload
# MODEL_FILE (default models/<OLD>/model.bin) as a new version, which they
# delete again.
set -u
API="${API_URL:-http://localhost:4002}"
: "${API_TOKEN:=}"
export API_TOKEN
OLD=$(curl -s "$API/models" | jq -r '[.versions[]? | select(.state == "available") | .version] | min // empty' 2>/dev/null)
if [ -z "$OLD" ]; then
	echo "requests.sh: no available version in $API/models (is the server up, with a model?); asking version 1" >&2
	OLD=1
fi
MODEL_FILE="${MODEL_FILE:-models/$OLD/model.bin}"
[ -f "$MODEL_FILE" ] || echo "requests.sh: MODEL_FILE=$MODEL_FILE not found: the upload examples will fail (set MODEL_FILE=path/to/model.bin)" >&2
TASK= UPLOADED= EXAMPLE=
LAST=$(mktemp)
trap 'rm -f "$LAST"' EXIT

# run prints a command (with $API, $MODEL_FILE and the numbers read from
# the server spelled out, never the token) and runs it.
run() {
	local shown="${1//\$API_TOKEN/@TOKEN@}"
	shown="${shown//\$API/$API}"
	shown="${shown//\$MODEL_FILE/$MODEL_FILE}"
	shown="${shown//\$TASK/$TASK}"
	# In a single-quoted JSON body a number is spliced in as '$OLD'.
	shown="${shown//\'\$OLD\'/$OLD}"
	shown="${shown//\$OLD/$OLD}"
	shown="${shown//\$UPLOADED/$UPLOADED}"
	shown="${shown//\$EXAMPLE/$EXAMPLE}"
	printf '$ %s\n' "${shown//@TOKEN@/\$API_TOKEN}"
	eval "$1" | tee "$LAST"
	echo
}

# answer prints a field of the JSON answer of the last command (jq filter).
answer() { grep '^{' "$LAST" | jq -r "$1 // empty" 2>/dev/null; }

# wait_task polls /status/$TASK quietly until the task has finished.
wait_task() {
	local i state
	for i in $(seq 300); do
		state=$(curl -s "$API/status/$TASK" | jq -r .state)
		case "$state" in trained | failed) return ;; esac
		sleep 0.2
	done
}

echo '## Health'
run 'curl -s $API/healthz'
run 'curl -sI $API/healthz'
run 'curl -s $API/readyz'

echo '## One question'
run 'curl -s -G $API/intent --data-urlencode "query=risques poisson cru pendant la grossesse ?"'
run 'curl -s -G $API/intent --data-urlencode "query=risques poisson cru pendant la grossesse ?" | jq'
run 'curl -s -G $API/intent --data-urlencode "query=risques poisson cru pendant la grossesse ?" --data-urlencode "top=3"'
run 'curl -s -G $API/intent --data-urlencode "query=risques poisson cru pendant la grossesse ?" --data-urlencode "version=$OLD"'

echo '## Batch'
run 'curl -s $API/intent -H "Content-Type: application/json" -d '"'"'{"queries": ["risques poisson cru pendant la grossesse ?", "combien de doliprane par jour maximum", "est-ce rembourse par la secu ?"]}'"'"''
run 'curl -s $API/intent -d '"'"'{"queries": ["puis-je prendre de l ibuprofene avec de l alcool ?"], "top": 2, "version": '"'"'$OLD'"'"'}'"'"''

echo '## Model versions'
run 'curl -s $API/models | jq'
run 'curl -s $API/models/$OLD | jq "del(.report)"'
run 'curl -s $API/models/$OLD | jq -c ".report | {n_train, n_valid, accuracy, macro_f1, temperature}"'
run 'curl -s $API/models/default'

echo '## Raw scores and evaluation'
run 'curl -s $API/infer -d '"'"'{"texts": ["risques poisson cru pendant la grossesse ?"], "version": '"'"'$OLD'"'"'}'"'"''
run 'curl -s $API/test -d '"'"'{"version": '"'"'$OLD'"'"'}'"'"' | jq -c "{version, n, accuracy, predictions: (.predictions | length), labels: (.labels | length)}"'
run 'curl -s -X POST $API/test | jq -c "{version, n, accuracy}"'

echo '## Changing versions (Bearer token)'
run 'curl -s -w "HTTP %{http_code}\n" -X PUT $API/models/default -d '"'"'{"version": '"'"'$OLD'"'"'}'"'"''
run 'curl -s -w "HTTP %{http_code}\n" -X PUT $API/models/default -H "Authorization: Bearer wrong" -d '"'"'{"version": '"'"'$OLD'"'"'}'"'"''
run 'curl -s -X PUT $API/models/default -H "Authorization: Bearer $API_TOKEN" -d '"'"'{"version": '"'"'$OLD'"'"'}'"'"''
run 'curl -s -G $API/intent --data-urlencode "query=risques poisson cru pendant la grossesse ?"'
run 'curl -s -X DELETE $API/models/default -H "Authorization: Bearer $API_TOKEN"'
run 'curl -s -w "HTTP %{http_code}\n" $API/models -H "Authorization: Bearer $API_TOKEN" -H "Content-Type: application/octet-stream" --data-binary @$MODEL_FILE'
UPLOADED=$(answer .version)
run 'curl -s -w "HTTP %{http_code}\n" $API/models -H "Authorization: Bearer $API_TOKEN" -H "Content-Type: application/octet-stream" --data-binary "not a model"'
run 'curl -s -w "HTTP %{http_code}\n" $API/models -H "Authorization: Bearer $API_TOKEN" -H "Content-Type: text/plain" --data-binary @$MODEL_FILE'
run 'curl -s -w "HTTP %{http_code}\n" -X DELETE $API/models/$UPLOADED -H "Authorization: Bearer $API_TOKEN"'
run 'curl -s $API/readyz'

echo '## Labeled examples'
run 'curl -s -w "HTTP %{http_code}\n" $API/examples -H "Authorization: Bearer $API_TOKEN" -d '"'"'{"text": "peut-on manger des sushis enceinte ?", "intent": 26, "source": "curl"}'"'"''
run 'curl -s -w "HTTP %{http_code}\n" $API/examples -H "Authorization: Bearer $API_TOKEN" -d '"'"'[{"text": "sushi et grossesse", "intent": 26}, {"text": "doliprane 1000 combien par jour", "intent": "3"}]'"'"''
EXAMPLE=$(answer '.ids[-1]')
run 'curl -s "$API/examples?limit=2"'
run 'curl -s "$API/examples?intent=3"'
run 'curl -s -w "HTTP %{http_code}\n" -X DELETE $API/examples/$EXAMPLE -H "Authorization: Bearer $API_TOKEN"'
run 'curl -s -w "HTTP %{http_code}\n" -X DELETE $API/examples/$EXAMPLE -H "Authorization: Bearer $API_TOKEN"'
run 'curl -s -w "HTTP %{http_code}\n" $API/examples -H "Authorization: Bearer $API_TOKEN" -d '"'"'{"text": "", "intent": 26}'"'"''

echo '## Training over HTTP'
run 'curl -s -D - $API/train -H "Authorization: Bearer $API_TOKEN" -d '"'"'{"data": "sample", "use_examples": true, "options": {"c": 0.5}, "make_default": "if_better"}'"'"''
TASK=$(answer .task_id)
run 'curl -s $API/status/$TASK | jq -c "{state, stage, progress}"'
wait_task
run 'curl -s $API/status/$TASK | jq'
run 'curl -s $API/models/default'
run 'curl -s $API/train -H "Authorization: Bearer $API_TOKEN" -d '"'"'{"use_examples": true, "make_default": "never"}'"'"''
TASK=$(answer .task_id)
wait_task
run 'curl -s $API/status/$TASK | jq -c "{state, stage, error, version}"'
run 'curl -s "$API/tasks?limit=5" | jq -c ".tasks[] | {task_id, state, stage, version}"'
run 'curl -s -w "HTTP %{http_code}\n" $API/train -H "Authorization: Bearer $API_TOKEN" -d '"'"'{"data": "../etc"}'"'"''
run 'curl -s -w "HTTP %{http_code}\n" $API/train -H "Authorization: Bearer $API_TOKEN" -d '"'"'{"data": "missing"}'"'"''
run 'curl -s -w "HTTP %{http_code}\n" $API/train -d '"'"'{"data": "sample"}'"'"''
run 'curl -s -w "HTTP %{http_code}\n" $API/status/0123456789abcdef'

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
