"""A scripted, request-driven interviewer model behind the local fake servers, for the cloud-brain persona suite.

The model's words are the model's: what is tested is our plumbing around them. So the model only reads what
the brain really sent (system prompt, history, the app's bracketed note, tool results) and acts the way the
prompt asks: it asks questions from the reference list it was given, calls evaluate_answer on answers,
search_knowledge_base to find the problem id, then run_code on submitted code, and says what the tool results
say. It writes a little Markdown now and then (models do, whatever the prompt says), so the suite sees whether
the voice gets it. It knows the bank the way a model knows the world: to word a question and its follow-ups.

Four wire adapters serve it: ConverseStream (stateless), AgentCore InvokeHarness and Agents Classic InvokeAgent
(stateful: the service keeps the session's history, as AWS does), and OpenAI-compatible chat completions (SSE).
Every call is logged as a `Seen`, so checks can read exactly what reached the model.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from prepai_cli.bank import Question, QuestionBank
from prepai_cli.agent.offline import ToolBox

from tests.bedrock import eventstream as es
from tests.bedrock.fake_aws import Cut, Frame, Recorded, Reply, Stream
from tests.bedrock.scripts import converse_stop, converse_tool_use
from tests.localllm import fake_openai as fo

# The interview app's bracketed notes (prompts.py), not code's brackets.
NOTE = re.compile(r"\[(?:Session start|Exchange \d|The candidate|That was the last|Resuming an earlier|Also said by|Every hint|Your last reply)"
                  r"(?:[^\[\]]|\[[^\[\]]*\])*\]", re.S)
REPEAT = re.compile(r"\b(repeat|again|one more time)\b", re.I)
GATEWAY_TOOLS = ("evaluate_answer", "search_knowledge_base", "analyze_cv")


@dataclass
class ToolUse:
    name: str
    arguments: dict[str, Any]


@dataclass
class Seen:
    """One call as the model got it: system text, the history (role, text) with this call's input last, and the
    tool results this call carries (a continuation after a tool use)."""

    brain: str
    system: str
    history: list[tuple[str, str]]
    tool_results: list[tuple[str, Any]] = field(default_factory=list)  # (tool name, result)
    tools: list[str] = field(default_factory=list)

    @property
    def user_input(self) -> str:
        """The last user message: this call's input, or the input a tool round trip continues."""
        return next((text for role, text in reversed(self.history) if role == "user"), "")

    @property
    def candidate_words(self) -> str:
        """The candidate's own words in this call's input: the app's notes and recaps left out."""
        return NOTE.sub("", self.user_input).strip()

    @property
    def note(self) -> str:
        found = NOTE.findall(self.user_input)
        return found[-1] if found else ""


@dataclass
class ModelReply:
    text: str
    tool: ToolUse | None = None


def words(text: str) -> list[str]:
    """The reply streamed a word at a time, as models stream it."""
    parts = re.findall(r"\S+\s*|\s+", text)
    return parts or [text]


class InterviewerModel:
    """Decides one reply from one call. State it keeps is only what a model would infer from the context."""

    def __init__(self, bank: QuestionBank, interview_type: str):
        self.bank = bank
        self.type = interview_type
        self.calls: list[Seen] = []
        self.current: Question | None = None  # what the candidate heard asked last (the persona reads this)
        self._lock = threading.Lock()
        self._pending_code: str | None = None

    # ------------------------------------------------------------ what the model knows

    def reference_questions(self, seen: Seen) -> list[str]:
        if "Prefer questions from this bank" not in seen.system:
            return []
        listed = seen.system.split("Prefer questions from this bank", 1)[1].split("\n\n", 1)[0]
        return [line[2:].strip() for line in listed.splitlines() if line.startswith("- ")]

    def question_for(self, text: str) -> Question | None:
        flat = " ".join(text.split())
        return next((q for q in self.bank.questions(self.type) if " ".join(q.text.split()) == flat), None)

    def asked_before(self, seen: Seen) -> str:
        return " ".join(text for role, text in seen.history if role == "assistant")

    def ask(self, question: Question) -> str:
        self.current = question
        text = " ".join(question.text.split())
        if question.coding is not None:
            text += (f" The tests call `{question.coding.function_name}`. Talk me through your idea, "
                     "then write the code.")
        return text

    def next_question(self, seen: Seen, hits: list[str] | None = None) -> Question | None:
        said = " ".join(self.asked_before(seen).split())
        pool = [self.question_for(t) for t in self.reference_questions(seen)]
        pool += [self.bank.question(h) for h in hits or []]
        return next((q for q in pool if q is not None and " ".join(q.text.split()) not in said), None)

    # ------------------------------------------------------------ one call

    def reply(self, seen: Seen) -> ModelReply:
        with self._lock:
            self.calls.append(seen)
            return self._decide(seen)

    def _decide(self, seen: Seen) -> ModelReply:
        if seen.tool_results:
            return self._after_tool(seen, *seen.tool_results[-1])
        note = seen.note
        if note.startswith("[Session start"):
            question = self.given_question(note, "Ask this one, in your own spoken words: ") or self.next_question(seen)
            if question is None:  # no reference list in the prompt (Agents Classic): look in the knowledge base
                return ModelReply("", ToolUse("search_knowledge_base", {"query": f"{self.type} interview question",
                                                                         "interview_type": self.type}))
            return ModelReply(self._intro() + self.ask(question))
        if "wants to end" in note or "last exchange" in note:
            return ModelReply("Thanks, that is all from me. **One strength:** you kept going. One thing to work "
                              "on: say your assumptions first. Good luck with the real one.")
        if "submitted" in note and "code" in note:
            code = code_block(seen.user_input)
            problem = re.search(r"problem_id ([\w-]+)", note)
            if problem:
                return ModelReply("Let me run that. ", ToolUse("run_code", {"code": code, "language": "python",
                                                                            "problem_id": problem.group(1)}))
            self._pending_code = code
            query = " ".join((self.current.text if self.current else seen.candidate_words).split())[:200]
            return ModelReply("", ToolUse("search_knowledge_base", {"query": query, "interview_type": self.type}))
        given_hint = after(note, r"Give hint \d+ of \d+ for this question, in your own words and without the answer, "
                                 r"then invite them to try again: ", " Hints already given")
        if given_hint:
            return ModelReply(f"Here is a hint. {given_hint} Give it another try.")
        facts = after(note, "Notes: ")
        if facts:
            return ModelReply(f"Good question. {facts} Go ahead when you are ready.")
        again = after(note, "Say it again, in the same words: ") or after(note, "Say it like this: ")
        if again:
            question = self.question_for(again)
            return ModelReply("Sure. " + (self.ask(question) if question else again))
        meaning = re.search(r"then invite them to go on\. (.+?): (.+)\]$", note, re.S)
        if meaning and "what a term means" in note:
            return ModelReply(f"{meaning.group(1)} means this: {meaning.group(2)} Go on.")
        if "Every hint for this question has been given" in note:
            following = self.given_question(note, "in your own spoken words: ") or self.next_question(seen)
            return ModelReply("The key idea is in the hints I gave. Let's move on. "
                              + (self.ask(following) if following else "What would you do first?"))
        words_said = seen.candidate_words
        if note.startswith("[Exchange") and self.current is not None and words_said:
            if not self._replies_to_main(seen):  # it scores the answer to a main question, not every follow-up
                return self._react(seen, score=None)
            return ModelReply("", ToolUse("evaluate_answer", {"question": " ".join(self.current.text.split()),
                                                              "answer": words_said, "interview_type": self.type}))
        if "stuck" in note or "hint" in note.lower():
            return ModelReply("Here is a hint: think about what you would need to look up quickly, and how. "
                              "Give it another try.")
        if REPEAT.search(words_said) and self.current is not None:
            return ModelReply("Sure. " + self.ask(self.current))
        if words_said.endswith("?"):
            return ModelReply("Good question. Assume the usual case, and say your assumption out loud. Go ahead.")
        if self.current is not None and words_said:
            return ModelReply("", ToolUse("evaluate_answer", {"question": " ".join(self.current.text.split()),
                                                              "answer": words_said, "interview_type": self.type}))
        return ModelReply("Okay. Take your time. What would you do first?")

    def given_question(self, note: str, marker: str) -> Question | None:
        text = after(note, marker)
        return self.question_for(text) if text else None

    def _intro(self) -> str:
        return ("Hi, I'm your interviewer today. We'll go through a couple of questions, and you can ask me for "
                "a hint at any time.\n\n")

    def _after_tool(self, seen: Seen, name: str, result: Any) -> ModelReply:
        data = result if isinstance(result, dict) else {}
        if name == "search_knowledge_base":
            hits = [h["doc_id"].split(":", 1)[1] for h in data.get("hits", []) if h.get("doc_id", "").startswith("question:")]
            if self._pending_code is not None:
                code, self._pending_code = self._pending_code, None
                problem = hits[0] if hits else None
                args = {"code": code, "language": "python", **({"problem_id": problem} if problem else {})}
                return ModelReply("Let me run that. ", ToolUse("run_code", args))
            question = self.next_question(seen, hits)
            return ModelReply(self._intro() + (self.ask(question) if question else "Tell me about yourself."))
        if name == "run_code":
            passed, total = data.get("passed", 0), data.get("total", 0)
            if data.get("verdict") == "passed":
                return ModelReply(f"All {total} tests pass, **nice**. What is the time and space complexity?")
            failure = data.get("first_failure") or data.get("message") or "a test fails"
            return ModelReply(f"{passed} of {total} tests pass. {failure} Fix it and submit again.")
        if name == "evaluate_answer":
            return self._react(seen, float(data.get("score", 0)))
        return ModelReply("Okay. Let's go on. What would you do first?")

    def _replies_to_main(self, seen: Seen) -> bool:
        last_asked = next((text for role, text in reversed(seen.history) if role == "assistant"), "")
        return self.current is not None and " ".join(self.current.text.split()) in " ".join(last_asked.split())

    def _react(self, seen: Seen, score: float | None) -> ModelReply:
        reaction = "**Good.** " if score is not None and score >= 6 else "Okay. "
        if "Let me stop you there" in seen.note:
            reaction = "Let me stop you there so we keep time. "
        question = self.current
        follow_ups = question.follow_ups if question is not None else []
        said = " ".join(self.asked_before(seen).split())
        fresh = [f for f in follow_ups if " ".join(f.text.split()) not in said]
        if self._replies_to_main(seen) and fresh:
            return ModelReply(reaction + fresh[0].text)
        if "Every planned main question has been asked" in seen.note:
            return ModelReply(reaction + (fresh[0].text if fresh else "What would you change if you did it again?"))
        following = (self.given_question(seen.note, "not asked yet), in your own spoken words: ")
                     or self.next_question(seen))
        if following is None:
            return ModelReply(reaction + "What would you change if you did it again?")
        return ModelReply(reaction + "Next question. " + self.ask(following))


def after(note: str, marker: str, until: str = "]") -> str:
    """What the note says after `marker` (a regex when it holds a backslash), up to `until` or the note's end."""
    found = re.search(marker if "\\" in marker else re.escape(marker), note)
    if not found:
        return ""
    rest = note[found.end():]
    cut = rest.find(until)
    rest = rest[:cut] if cut >= 0 else rest
    return rest.rstrip("]").strip()


def code_block(text: str) -> str:
    found = re.search(r"```[a-z]*\n(.*?)\n```", text, re.S)
    return found.group(1) if found else text


# ---------------------------------------------------------------- ConverseStream (stateless)


def _blocks_text(content: list[dict[str, Any]]) -> str:
    return "\n\n".join(b["text"] for b in content if "text" in b)


def converse_seen(body: dict[str, Any]) -> Seen:
    history = [(m["role"], _blocks_text(m["content"])) for m in body.get("messages", [])]
    results: list[tuple[str, Any]] = []
    last = body["messages"][-1]["content"] if body.get("messages") else []
    names = {b["toolUse"]["toolUseId"]: b["toolUse"]["name"] for m in body.get("messages", [])
             for b in m["content"] if "toolUse" in b}
    for block in last:
        if "toolResult" in block:
            raw = block["toolResult"]["content"][0]
            results.append((names.get(block["toolResult"]["toolUseId"], "?"), raw.get("json", raw.get("text"))))
    if results:  # a continuation: the history is everything before the tool round trip
        history = [h for h in history if h[1]]
        while history and history[-1][0] == "assistant":
            history.pop()
    tools = [t["toolSpec"]["name"] for t in body.get("toolConfig", {}).get("tools", [])]
    return Seen("bedrock", _blocks_text(body.get("system", [])), history, results, tools)


def converse_frames(reply: ModelReply, n: int) -> list[Frame]:
    frames = [Frame(es.event("messageStart", {"role": "assistant"}))]
    frames += [Frame(es.event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": w}}))
               for w in words(reply.text)] if reply.text else []
    if reply.text:
        frames.append(Frame(es.event("contentBlockStop", {"contentBlockIndex": 0})))
    if reply.tool is None:
        return frames + converse_stop("end_turn", (300, 40))
    frames += converse_tool_use(1 if reply.text else 0, f"tooluse_{n}", reply.tool.name, reply.tool.arguments)
    return frames + converse_stop("tool_use", (300, 40))


# ---------------------------------------------------------------- the wire: one responder per brain


class CloudModelServer:
    """The fake servers' `responder`: reads the real request, asks the model, answers on the brain's wire.

    `cut_at`: the call (1-based) whose stream is dropped after a few words, to check a dead stream loses nothing.
    """

    def __init__(self, brain: str, model: InterviewerModel, tools: ToolBox, cut_at: int | None = None):
        self.brain = brain
        self.model = model
        self.tools = tools
        self.cut_at = cut_at
        self.calls = 0
        self.sessions: dict[str, list[tuple[str, str]]] = {}  # stateful services keep the conversation
        self._tool_names: dict[str, str] = {}
        self._lock = threading.Lock()

    def _count(self) -> int:
        with self._lock:
            self.calls += 1
            return self.calls

    # -- Bedrock ConverseStream
    def converse(self, request: Recorded) -> Stream | Reply:
        n = self._count()
        reply = self.model.reply(converse_seen(request.json()))
        return self._maybe_cut(n, Stream(converse_frames(reply, n)))

    # -- AgentCore InvokeHarness: the harness keeps history per runtime session and runs gateway tools itself
    def harness(self, request: Recorded) -> Stream | Reply:
        n = self._count()
        body = request.json()
        session = request.headers.get("X-Amzn-Bedrock-AgentCore-Runtime-Session-Id", "")
        history = self.sessions.setdefault(session, [])
        system = _blocks_text(body.get("systemPrompt", []))
        tools = [t.get("name", "") for t in body.get("tools", [])]
        messages = body.get("messages", [])
        results: list[tuple[str, Any]] = []
        if len(messages) == 2 and any("toolResult" in b for b in messages[1]["content"]):
            for block in messages[1]["content"]:
                raw = block["toolResult"]["content"][0]
                results.append((self._tool_names.get(block["toolResult"]["toolUseId"], "?"),
                                raw.get("json", raw.get("text"))))
        else:
            history.append(("user", _blocks_text(messages[0]["content"])))
        frames: list[Frame] = []
        for round_ in range(4):
            reply = self.model.reply(Seen("agentcore", system, list(history), results, tools))
            use_id = f"tooluse_{n}_{round_}"
            if reply.tool is not None and reply.tool.name in GATEWAY_TOOLS:
                # The gateway's Lambda runs the same tool code; the harness streams its result and loops.
                result = self.tools.call(reply.tool.name, reply.tool.arguments)
                frames += _harness_message(reply.text, use_id, reply.tool, "mcp_tool_use")
                frames += _harness_tool_result(use_id, result)
                if reply.text:
                    history.append(("assistant", reply.text))
                results = [(reply.tool.name, result)]
                continue
            frames += _harness_message(reply.text, use_id, reply.tool, "tool_use")
            if reply.tool is not None:
                self._tool_names[use_id] = reply.tool.name
            if reply.text:
                history.append(("assistant", reply.text))
            break
        return self._maybe_cut(n, Stream(frames))

    # -- Agents Classic InvokeAgent: session kept by the service, every tool comes back as return control
    def agent(self, request: Recorded) -> Stream | Reply:
        n = self._count()
        body = request.json()
        session = request.path.split("/sessions/", 1)[1].split("/", 1)[0]
        history = self.sessions.setdefault(session, [])
        state = body.get("sessionState", {})
        results: list[tuple[str, Any]] = []
        for item in state.get("returnControlInvocationResults", []):
            fr = item["functionResult"]
            results.append((fr["function"], json.loads(fr["responseBody"]["TEXT"]["body"])))
        if "inputText" in body:
            history.append(("user", body["inputText"]))
        from prepai_cli.agent.prompts import AGENT_INSTRUCTION
        reply = self.model.reply(Seen("bedrock-agent", AGENT_INSTRUCTION, list(history), results, list(
            GATEWAY_TOOLS) + ["run_code"]))
        steps: list[Frame] = []
        if reply.text:
            history.append(("assistant", reply.text))
            steps += [Frame(es.event("chunk", {"bytes": base64.b64encode(w.encode()).decode()}))
                      for w in words(reply.text)]
        if reply.tool is not None:
            steps.append(Frame(es.event("returnControl", {"invocationId": f"inv-{n}", "invocationInputs": [
                {"functionInvocationInput": {"actionGroup": "prepai-tools", "function": reply.tool.name,
                                             "actionInvocationType": "RESULT",
                                             "parameters": [{"name": k, "type": "string", "value": str(v)}
                                                            for k, v in reply.tool.arguments.items()]}}]})))
        return self._maybe_cut(n, Stream(steps))

    # -- OpenAI-compatible chat completions (SSE)
    def chat(self, body: dict[str, Any]) -> fo.Sse | fo.Reply:
        n = self._count()
        messages = body.get("messages", [])
        system = next((m["content"] for m in messages if m["role"] == "system"), "")
        names = {c["id"]: c["function"]["name"] for m in messages for c in m.get("tool_calls") or []}
        results: list[tuple[str, Any]] = []
        tail = len(messages)
        while tail and messages[tail - 1]["role"] == "tool":
            tail -= 1
        for m in messages[tail:]:
            results.insert(len(results), (names.get(m.get("tool_call_id", ""), "?"), json.loads(m["content"])))
        history = [(m["role"], m.get("content") or "") for m in messages[:tail] if m["role"] in ("user", "assistant")]
        if results:
            history = [h for h in history if h[1]]
            while history and history[-1][0] == "assistant":
                history.pop()
        tools = [t["function"]["name"] for t in body.get("tools", [])]
        reply = self.model.reply(Seen("local", system, history, results, tools))
        if reply.tool is not None:
            sse = fo.tool_reply((f"call_{n}", reply.tool.name, reply.tool.arguments), say=reply.text)
        else:
            sse = fo.text_reply(*words(reply.text))
        if self.cut_at == n:
            return fo.Sse(sse.steps[:4] + [fo.Cut()])
        return sse

    def _maybe_cut(self, n: int, stream: Stream) -> Stream:
        if self.cut_at != n:
            return stream
        keep = stream.steps[:4]
        return Stream(keep + [Cut(stream.steps[4].data if len(stream.steps) > 4 else b"\0" * 20, 7)])


def _harness_message(text: str, use_id: str, tool: ToolUse | None, kind: str) -> list[Frame]:
    frames = [Frame(es.event("messageStart", {"role": "assistant"}))]
    index = 0
    if text:
        frames += [Frame(es.event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": w}}))
                   for w in words(text)]
        frames.append(Frame(es.event("contentBlockStop", {"contentBlockIndex": 0})))
        index = 1
    if tool is None:
        return frames + converse_stop("end_turn", (400, 40))
    start: dict[str, Any] = {"toolUseId": use_id, "name": tool.name, "type": kind}
    if kind == "mcp_tool_use":
        start["serverName"] = "prepai_tools"
    frames += [Frame(es.event("contentBlockStart", {"contentBlockIndex": index, "start": {"toolUse": start}})),
               Frame(es.event("contentBlockDelta", {"contentBlockIndex": index, "delta": {
                   "toolUse": {"input": json.dumps(tool.arguments)}}})),
               Frame(es.event("contentBlockStop", {"contentBlockIndex": index}))]
    return frames + converse_stop("tool_use", (400, 30))


def _harness_tool_result(use_id: str, result: dict[str, Any]) -> list[Frame]:
    return [Frame(es.event("messageStart", {"role": "user"})),
            Frame(es.event("contentBlockStart", {"contentBlockIndex": 0, "start": {"toolResult": {
                "toolUseId": use_id, "status": "success"}}})),
            Frame(es.event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"toolResult": [{"json": result}]}})),
            Frame(es.event("contentBlockStop", {"contentBlockIndex": 0})),
            Frame(es.event("messageStop", {"stopReason": "tool_result"}))]
