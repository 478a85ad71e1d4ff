"""A scripted local LLM for whole interviews: canned interviewer replies in order, and a judge that answers from
the request. Suites (personas, CLI runs) drive `--brain local` with it through the fake server's `responder`."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from .fake_openai import MODEL, Reply, Sse, json_reply, text_reply

Verdict = Callable[[str, list[str]], dict[str, Any]]


def is_judge_request(body: dict[str, Any]) -> bool:
    return "assessor" in str(body.get("messages", [{}])[0].get("content", ""))


def _key_point_ids(body: dict[str, Any]) -> list[str]:
    prompt = str(body["messages"][-1]["content"])
    section = prompt.split("Key points a strong answer covers (id: point):\n", 1)[1].split("\n\n", 1)[0]
    return [m.group(1) for m in re.finditer(r"^- ([a-z0-9-]+): ", section, re.M)]


def _answer(body: dict[str, Any]) -> str:
    prompt = str(body["messages"][-1]["content"])
    return prompt.split('The candidate\'s answer:\n"""\n', 1)[1].split('\n"""', 1)[0]


def first_half_covered(answer: str, ids: list[str]) -> dict[str, Any]:
    """A deterministic judge: the first half of the key points covered, a score from the answer's length."""
    return {"score": min(10, 3 + len(answer.split()) // 8), "covered": ids[: (len(ids) + 1) // 2],
            "misconceptions": [], "verdict": "Clear idea. Say the complexity out loud."}


class CannedLLM:
    def __init__(self, replies: list[str], verdict: Verdict = first_half_covered, model: str = MODEL):
        self.replies = list(replies)
        self.verdict = verdict
        self.model = model
        self.interviewer_requests: list[dict[str, Any]] = []
        self.judge_requests: list[dict[str, Any]] = []

    def __call__(self, body: dict[str, Any]) -> Sse | Reply:
        if is_judge_request(body):
            self.judge_requests.append(body)
            value = self.verdict(_answer(body), _key_point_ids(body))
            raw = json.dumps(value)
            return text_reply(raw[: len(raw) // 2], raw[len(raw) // 2:], model=self.model)
        self.interviewer_requests.append(body)
        if not self.replies:
            return Reply.error(500, "canned LLM: no interviewer reply left", "server_error")
        reply = self.replies.pop(0)
        if body.get("response_format", {}).get("type") == "json_schema" and "tools" not in body:
            return json_reply({"say": reply, "tool": None}, model=self.model)
        words = reply.split(" ")
        return text_reply(*[w + " " for w in words[:-1]], words[-1], model=self.model)
