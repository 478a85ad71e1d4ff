"""TEMP dev helper (deleted before handing over)."""
import sys
import tempfile
import time
from pathlib import Path

from prepai_cli.agent.factory import LazyEvaluator, default_tools
from prepai_cli.agent.offline import OfflineBrain
from prepai_cli.bank import load_bank
from prepai_cli.interview.runner import InterviewRunner
from prepai_cli.store import SessionStore
from tests.personas.personas import PERSONAS, PersonaInput
from tests.test_runner import RecordingOutput

bank = load_bank()
ev = LazyEvaluator()
tools = default_tools(bank, ev)
ev()
tmp = Path(tempfile.mkdtemp())
store = SessionStore(tmp / "s.db", tmp / "s")
for persona_name in sys.argv[1].split(","):
    for t in sys.argv[2].split(","):
        t0 = time.time()
        session = store.create_session(t, "offline", "ada", {"questions": int(sys.argv[3]) if len(sys.argv) > 3 else 2})
        inp = PersonaInput(PERSONAS[persona_name](), bank)
        out = RecordingOutput()
        outcome = InterviewRunner(store, OfflineBrain(bank, ev, tools=tools), out, inp, bank=bank).run(session)
        print(f"=== {persona_name} {t} finished={outcome.finished} exhausted={inp.exhausted} {time.time()-t0:.1f}s")
        for turn in store.turns(session.id):
            ev_ = turn.evaluation or {}
            extra = ""
            if turn.role == "candidate":
                extra = f" intent={ev_.get('intent')} score={ev_.get('score')} cov={ev_.get('covered')} off={ev_.get('off_topic')} mis={[m['claim'][:30] for m in ev_.get('misconceptions', [])]}"
            else:
                extra = f" meta={ {k: v for k, v in turn.meta.items() if k not in ('tools',)} }"
            print(f"  [{turn.role[:4]} {turn.kind} {turn.question_id}]{extra}\n      {turn.text[:300]!r}")
