"""Builds the brain a run asks for, with its evaluator and tools, and the offline fallback around cloud brains.

Cloud modules (boto3) are imported only when a cloud brain is chosen: an offline run never loads them, and nothing
is sent to AWS unless the user picked a cloud brain (`--brain agentcore`, `bedrock-agent` or `bedrock`). `--brain local`
talks only to the OpenAI-compatible server the user runs (openai_compat).
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Callable, Iterator
from typing import Any, Literal

from prepai_cli.agent.brain import Brain, Conversation
from prepai_cli.agent.events import BrainError, BrainEvent
from prepai_cli.agent.offline import OfflineBrain, ToolBox
from prepai_cli.bank import QuestionBank
from prepai_cli.domain import Turn
from prepai_cli.config import Settings
from prepai_cli.errors import PrepAIError

FallbackName = Literal["offline"]


def _stop_and_join(stop: threading.Event, thread: threading.Thread) -> None:
    stop.set()
    thread.join()


class LazyEvaluator:
    """Loads the embedding model on a background thread so the first question is not kept waiting."""

    def __init__(self) -> None:
        self._evaluator: Any = None
        self._error: BaseException | None = None
        # Not a daemon: the interpreter waits for the load to finish before it exits. A daemon thread killed inside
        # onnxruntime's session setup left its native threads running into the C++ runtime's teardown, and the
        # process aborted at exit ("terminate called without an active exception", exit code 134).
        self._thread = threading.Thread(target=self._load, name="evaluator-load", daemon=False)
        self._thread.start()

    def _load(self) -> None:
        try:
            from prepai_cli.agent.evaluator import load_evaluator

            self._evaluator = load_evaluator()
        except BaseException as exc:  # re-raised on the caller's thread, where it can be reported
            self._error = exc
            return
        # Encoding the other questions (for off-topic detection) takes a few seconds: done while the intro is
        # spoken, on a daemon thread that an exit stops between two batches.
        stop = threading.Event()
        warm = threading.Thread(target=self._evaluator.warm, args=(stop,), name="evaluator-warm", daemon=True)
        atexit.register(_stop_and_join, stop, warm)
        warm.start()

    def settle(self) -> None:
        """Waits for the load to end: a process that exits while onnxruntime loads on this thread aborts."""
        self._thread.join()

    def __call__(self) -> Any:
        self._thread.join()
        if self._error is not None:
            if isinstance(self._error, PrepAIError):
                raise self._error
            raise PrepAIError(f"could not load the answer evaluator: {self._error}") from self._error
        return self._evaluator


def default_tools(bank: QuestionBank, evaluator: LazyEvaluator) -> ToolBox:
    from prepai_cli.agent.tools import LocalToolBox

    # Sharing the brain's evaluator keeps one embedding model in memory, not two.
    return LocalToolBox(bank, evaluator_factory=evaluator)


class FallbackBrain:
    """A cloud brain that hands over to the offline brain when the cloud fails, keeping what was already said.

    A recoverable failure (throttling, a dropped stream) finishes that one turn offline and tries the cloud again
    next turn; a non-recoverable one (credentials, permissions, a missing agent) stays offline for the rest of the
    run. The failure is still reported, as a recoverable BrainError, so the interview goes on.
    """
    # Billed (or rate-limited) per call: replies are never started on a provisional answer.
    speculative = False

    def __init__(self, primary: Brain, fallback: Brain, annotate: Callable[[str, list[Turn]], list[Turn]]):
        # `annotate(slug, turns)` gives cloud-asked questions their bank ids, so the offline brain knows
        # which questions were asked and scores the answers against them.
        self.name = primary.name
        self._primary = primary
        self._fallback = fallback
        self._annotate = annotate
        self._cloud_failed_for_good = False

    @property
    def offline(self) -> bool:
        return self._cloud_failed_for_good

    def respond(self, conversation: Conversation) -> Iterator[BrainEvent]:
        if self._cloud_failed_for_good:
            yield from self._offline(conversation)
            return
        events = self._primary.respond(conversation)
        try:
            for event in events:
                if isinstance(event, BrainError):
                    if not event.recoverable:
                        self._cloud_failed_for_good = True
                    scope = "for the rest of the interview" if not event.recoverable else "for this turn"
                    yield BrainError(f"{event.message}; continuing offline {scope}", recoverable=True)
                    yield from self._offline(conversation)
                    return
                yield event
        finally:
            events.close()  # type: ignore[attr-defined]

    def _offline(self, conversation: Conversation) -> Iterator[BrainEvent]:
        turns = self._annotate(conversation.session.type, conversation.turns)
        events = self._fallback.respond(Conversation(
            session=conversation.session, turns=turns, end_requested=conversation.end_requested,
            cv_summary=conversation.cv_summary, extra=conversation.extra,
        ))
        try:
            yield from events
        finally:
            events.close()  # type: ignore[attr-defined]


def check_brain_settings(settings: Settings) -> None:
    """What a cloud brain needs and the user can fix (a region, an agent), checked before a session exists: a
    failing first turn would leave an empty session behind."""
    if settings.brain in ("offline", "local"):
        return  # the local brain finds its server when it is built, before any session exists
    from prepai_cli.agent.aws import resolve_region

    if settings.brain == "bedrock-agent" and not (settings.aws.agent_id and settings.aws.agent_alias_id):
        raise PrepAIError(
            "the bedrock-agent brain needs an agent: pass --agent-id and --agent-alias-id "
            "(or `prepai config set aws.agent_id ...` and `aws.agent_alias_id`)"
        )
    resolve_region(settings.aws)


def build_brain(
    settings: Settings,
    bank: QuestionBank,
    tools: ToolBox | None = None,
    *,
    fallback: FallbackName | None = None,
    debug: bool = False,
) -> Brain:
    evaluator = LazyEvaluator()
    tools = tools if tools is not None else default_tools(bank, evaluator)
    if settings.brain == "offline":
        return OfflineBrain(bank, evaluator, tools=tools)

    from prepai_cli.agent.bank_match import AnswerJudge, QuestionMatcher

    matcher = QuestionMatcher(bank)
    judge = AnswerJudge(bank, evaluator, matcher)
    try:
        cloud = _cloud_brain(settings, bank, judge, matcher, tools, debug)
    except PrepAIError:
        evaluator.settle()  # the run ends on this one-line error; let it end cleanly
        raise
    if fallback == "offline":
        return FallbackBrain(cloud, OfflineBrain(bank, evaluator, tools=tools), matcher.annotate)
    return cloud


def _cloud_brain(settings: Settings, bank: QuestionBank, judge: Any, matcher: Any, tools: ToolBox,
                 debug: bool) -> Brain:
    cloud: Brain
    if settings.brain == "agentcore":
        from prepai_cli.agent.agentcore import AgentCoreBrain

        cloud = AgentCoreBrain(settings.aws, bank, judge, tools, actor_id=settings.candidate)
    elif settings.brain == "bedrock-agent":
        from prepai_cli.agent.bedrock_agent import BedrockAgentBrain

        cloud = BedrockAgentBrain(settings.aws, bank, judge, tools, debug=debug)
    elif settings.brain == "bedrock":
        from prepai_cli.agent.bedrock_converse import BedrockConverseBrain
        from prepai_cli.agent.tools.registry import to_converse_tool_config

        cloud = BedrockConverseBrain(settings.aws, bank, judge, tools,
                                     tool_config=to_converse_tool_config())
        if settings.aws.judge:
            from prepai_cli.agent.bedrock_judge import BedrockJudgeBackend
            from prepai_cli.agent.llm_judge import with_llm_judge

            cloud = with_llm_judge(cloud, bank, matcher, BedrockJudgeBackend(settings.aws))
    elif settings.brain == "local":
        from prepai_cli.agent.openai_compat import build_local_brain

        cloud = build_local_brain(settings.local, bank, judge, matcher, tools)
    else:
        raise PrepAIError(f"unknown brain {settings.brain!r}; use offline, agentcore, bedrock-agent, bedrock or local")
    return cloud
