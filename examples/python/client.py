#!/usr/bin/env python3
"""A small client of the intent API, with requests (pip install requests).

    python3 client.py "risques poisson cru pendant la grossesse ?"
    python3 client.py --top 3 --version 1 "combien de doliprane par jour ?"
    printf 'question one\\nquestion two\\n' | python3 client.py
    INTENT_API_URL=http://host:4002 python3 client.py "..."

As a library:

    from client import intent, batch, APIError
    intent("risques poisson cru pendant la grossesse ?")
    # {'intent': 26, 'probability': '0.99991939'}
    batch(["question one", "question two"])
    # [{'intent': ..., 'probability': ...}, {...}]

A non-2xx answer raises APIError with the HTTP status and the server's
{"error": "..."} message.
"""

import argparse
import os
import sys

import requests

API_URL = os.environ.get("INTENT_API_URL", "http://localhost:4002")
TIMEOUT = 30  # seconds


class APIError(Exception):
    """A non-2xx answer: .status is the HTTP status, .message the server's error."""

    def __init__(self, status, message):
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.message = message


def _check(resp):
    """Returns the decoded JSON of a 2xx answer, raises APIError otherwise."""
    if resp.ok:
        return resp.json()
    try:
        message = resp.json()["error"]
    except (ValueError, KeyError, TypeError):
        message = resp.text[:200].strip() or resp.reason
    raise APIError(resp.status_code, message)


def intent(query, top=None, version=None, url=None, session=None):
    """Classifies one question (GET /intent).

    Returns the server's answer as a dict: {"intent": 26, "probability":
    "0.99991939"}, plus "ranking" (a list of such pairs) when top is given.
    The probability is a string with 8 decimals, as the server sends it.
    """
    params = {"query": query}
    if top is not None:
        params["top"] = top
    if version is not None:
        params["version"] = version
    http = session or requests
    resp = http.get(f"{url or API_URL}/intent", params=params, timeout=TIMEOUT)
    return _check(resp)


def batch(queries, top=None, version=None, url=None, session=None):
    """Classifies many questions in one request (POST /intent).

    Returns a list of answers in the order of queries. The server takes at
    most 1000 questions per request by default (413 above).
    """
    body = {"queries": list(queries)}
    if top is not None:
        body["top"] = top
    if version is not None:
        body["version"] = version
    http = session or requests
    resp = http.post(f"{url or API_URL}/intent", json=body, timeout=TIMEOUT)
    return _check(resp)["results"]


def _format(query, answer):
    line = f"{answer['intent']}\t{answer['probability']}\t{query}"
    for r in answer.get("ranking", [])[1:]:
        line += f"\n\t{r['intent']}\t{r['probability']}"
    return line


def main(argv=None):
    p = argparse.ArgumentParser(
        description="Classify questions with the intent API: the arguments, "
        "or one question per line of standard input when there are none. "
        "Prints intent, probability and question, tab-separated.")
    p.add_argument("questions", nargs="*", help="questions to classify")
    p.add_argument("--url", default=API_URL,
                   help="API base URL (default: $INTENT_API_URL or %(default)s)")
    p.add_argument("--top", type=int, help="also print the next best intents, up to TOP in all")
    p.add_argument("--version", type=int, help="model version to ask (default: the server's default)")
    args = p.parse_args(argv)

    questions = args.questions or [line.strip() for line in sys.stdin if line.strip()]
    if not questions:
        p.error("no question given (arguments or standard input)")
    try:
        if len(questions) == 1:
            answers = [intent(questions[0], args.top, args.version, url=args.url)]
        else:
            answers = []
            for i in range(0, len(questions), 1000):
                answers += batch(questions[i:i + 1000], args.top, args.version, url=args.url)
    except APIError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except requests.RequestException as e:
        print(f"error: cannot reach {args.url}: {e}", file=sys.stderr)
        return 1
    for q, a in zip(questions, answers):
        print(_format(q, a))
    return 0


if __name__ == "__main__":
    sys.exit(main())
