from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from prepai_cli import paths
from prepai_cli.agent.factory import build_brain, check_brain_settings
from prepai_cli.bank import QuestionBank, load_bank
from prepai_cli.commands.common import aws_overrides, console, open_store
from prepai_cli.config import Settings, load_settings, setting_source
from prepai_cli.domain import Session, resume_hint
from prepai_cli.errors import PrepAIError
from prepai_cli.interview.console import ConsoleOutput, ScriptedInput, TypedInput
from prepai_cli.interview.io import CandidateInput, InterviewerOutput
from prepai_cli.interview.runner import InterviewRunner
from prepai_cli.interview.setup import CV_TYPE, NO_CV_WARNING, new_session_settings
from prepai_cli.store import SessionStore

if TYPE_CHECKING:
    from prepai_cli.audio.sources import AudioSource
    from prepai_cli.audio.stack import VoiceOptions, VoiceStack


def register(app: typer.Typer) -> None:
    @app.command("interview")
    def interview(
        type: str = typer.Option(None, "--type", "-t", help="Interview type (see `prepai types`)."),
        text: bool = typer.Option(False, "--text", help="Type your answers instead of speaking."),
        answers: Path = typer.Option(None, "--answers", help="Scripted answers: one per blank-line-separated paragraph."),
        no_tui: bool = typer.Option(False, "--no-tui", help="Plain console instead of the full-screen app."),
        resume: str = typer.Option(None, "--resume", help="Continue an unfinished session."),
        questions: int = typer.Option(None, "--questions", min=1, max=30, help="How many main questions."),
        minutes: int = typer.Option(None, "--minutes", min=1, max=180, help="Time budget in minutes."),
        difficulty: int = typer.Option(None, "--difficulty", min=1, max=3, help="Starting difficulty 1-3."),
        cv: Path = typer.Option(None, "--cv", help="Your CV (PDF, DOCX, TXT, MD): cv-grilling asks about it."),
        brain: str = typer.Option(None, "--brain", help="offline (default); agentcore (the cloud agent prepai infra "
                                  "deploy creates); bedrock-agent (only accounts that already have an Agents Classic "
                                  "agent); bedrock (ConverseStream); or local (your Ollama, llama.cpp, LM Studio or "
                                  "vLLM server; alias openai-compatible)."),
        candidate: str = typer.Option(None, "--candidate", help="Your name, for the records."),
        input: Path = typer.Option(None, "--input", help="Use an audio file (WAV/FLAC/OGG) as the microphone."),
        fast: bool = typer.Option(False, "--fast", help="With --input: stream the file as fast as it is processed."),
        output_audio: Path = typer.Option(None, "--output-audio", help="Record what the interviewer says to a WAV file."),
        mute: bool = typer.Option(False, "--mute", help="Do not play the interviewer's voice."),
        stt_model: str = typer.Option(None, "--stt-model", help="Speech model: tiny.en (bundled), base.en, small or a folder."),
        agent_id: str = typer.Option(None, "--agent-id", help="Bedrock agent id (--brain bedrock-agent)."),
        agent_alias_id: str = typer.Option(None, "--agent-alias-id", help="Bedrock agent alias id (--brain bedrock-agent)."),
        model_id: str = typer.Option(None, "--model-id", help="Bedrock model id (--brain bedrock)."),
        base_url: str = typer.Option(None, "--base-url", help="OpenAI-compatible server for --brain local, e.g. "
                                     "http://127.0.0.1:11434/v1 (default: look on the usual local ports)."),
        model: str = typer.Option(None, "--model", help="Model on that server (--brain local)."),
        profile: str = typer.Option(None, "--profile", help="AWS profile for the cloud brains."),
        region: str = typer.Option(None, "--region", help="AWS region for the cloud brains."),
        fallback: str = typer.Option(None, "--fallback", help="offline: if the cloud brain fails, carry on offline."),
        code_interpreter: bool = typer.Option(None, "--code-interpreter/--local-sandbox",
                                              help="--brain agentcore: run your code in AgentCore Code Interpreter "
                                                   "(it leaves this machine) instead of the local sandbox."),
        debug: bool = typer.Option(False, "--debug", help="Log cloud requests and Bedrock agent traces to stderr."),
    ) -> None:
        """Run a mock interview (spoken by default; typed with --text or when there is no microphone)."""
        if text and input is not None:
            raise PrepAIError("--text and --input exclude each other: type or speak, not both")
        if answers is not None and input is not None:
            raise PrepAIError("--answers and --input exclude each other: choose one source of answers")
        if fast and input is None:
            raise PrepAIError("--fast only applies to --input files; a microphone runs in real time")
        if fallback not in (None, "offline"):
            raise PrepAIError(f"--fallback {fallback!r} is not supported; the only fallback is offline")
        if cv is not None and not cv.is_file():
            raise PrepAIError(f"CV file not found: {cv}")
        if output_audio is not None:
            _check_recording_path(output_audio)
        store = open_store()
        resumed = store.get_session(resume) if resume else None
        if resumed is not None and resumed.status == "ended":
            raise PrepAIError(f"session {resume} has already ended; see `prepai report {resume}`")
        settings = load_settings(
            # A resumed session keeps the brain it started with unless --brain says otherwise.
            brain=brain or (resumed.brain if resumed else None), candidate=candidate, questions=questions,
            minutes=minutes,
            aws=aws_overrides(profile=profile, region=region, agent_id=agent_id, agent_alias_id=agent_alias_id,
                              model_id=model_id, code_interpreter=code_interpreter),
            local=aws_overrides(base_url=base_url, model=model),
        )
        if code_interpreter and settings.brain != "agentcore":
            raise PrepAIError("--code-interpreter applies to --brain agentcore only; the other brains run code in "
                              "the local sandbox")
        check_brain_settings(settings)
        if debug:
            logging.basicConfig(format="%(name)s: %(message)s")
            logging.getLogger("prepai").setLevel(logging.DEBUG)
        bank = load_bank()
        if resumed is None and type is not None:
            bank.interview_type(type)  # unknown type → one clear line listing the valid ones
            if type == CV_TYPE and cv is None:
                console.print(NO_CV_WARNING, style="yellow", markup=False)
        if settings.brain == "local":
            import importlib
            import threading

            # The openai client takes over a second to import: start now, while the voice loads.
            threading.Thread(target=importlib.import_module, args=("openai",), name="import-openai",
                             daemon=True).start()
            if fallback is None:
                from prepai_cli.agent.openai_compat import resolve_target

                # No server or no such model: one line now, before a session exists (a resumed one stays resumable).
                resolve_target(settings.local)

        def make_brain():
            return build_brain(settings, bank, fallback=fallback, debug=debug)

        if not no_tui and sys.stdout.isatty() and sys.stdin.isatty():
            choices = (_local_choices(settings, bank, fallback, debug)
                       if type is None and resume is None and settings.brain != "local" else [])
            session = _run_tui(store, bank, settings, make_brain, type, resume, difficulty, cv, answers, text,
                               input, fast, output_audio, mute, stt_model, choices)
        else:
            if resumed is None and type is None:
                raise PrepAIError(f"choose an interview type with --type; valid types: {', '.join(bank.slugs)}")
            session = _run_console(store, bank, settings, make_brain, resumed, type, difficulty, cv, answers, text,
                                   input, fast, output_audio, mute, stt_model)
        if session is not None:
            # The console runner says how to resume itself; the app's screen is gone by now, so say it here.
            _after_interview(store, bank, settings, session, say_resume=not no_tui and sys.stdout.isatty()
                             and sys.stdin.isatty())


def _run_console(store: SessionStore, bank: QuestionBank, settings: Settings, make_brain, resumed: Session | None,
                 type: str | None, difficulty: int | None, cv: Path | None, answers: Path | None, text: bool,
                 input: Path | None, fast: bool, output_audio: Path | None, mute: bool,
                 stt_model: str | None) -> Session:
    # Inputs are checked before a session exists, so a bad file or flag leaves no empty session behind.
    scripted = ScriptedInput.from_file(answers, console) if answers is not None else None
    source = None
    if scripted is None and not text and (input is not None or _interactive_stdin()):
        source = _open_source(_voice_options(settings, input, fast, output_audio, mute, stt_model))
    voice = None
    try:
        if resumed is not None:
            session = resumed
        else:
            assert type is not None
            session = store.create_session(
                type, settings.brain, settings.candidate,
                new_session_settings(store, bank, type, questions=settings.questions, minutes=settings.minutes,
                                     difficulty=difficulty, cv_path=cv),
            )
        output: InterviewerOutput = ConsoleOutput(console)
        candidate_input: CandidateInput
        if scripted is not None:
            candidate_input = scripted
        elif source is None:
            # --text, piped stdin (scripted typing), or no microphone (already said so): typed answers.
            candidate_input = TypedInput(console)
        else:
            from prepai_cli.interview.voice import VoiceInput, VoiceOutput

            voice = _load_voice(*source)
            output = VoiceOutput(voice.duplex, ConsoleOutput(console))
            candidate_input = VoiceInput(voice.duplex, console, store, session.id)
        # After the voice: the answer evaluator is not needed before the first answer, so it loads (in the
        # background) while the first question is spoken rather than competing with the voice for the CPU.
        brain_impl = make_brain()
    except BaseException:
        if source is not None and voice is None:
            source[0].close()  # an open microphone stream would outlive the error otherwise
        raise
    runner = InterviewRunner(store, brain_impl, output, candidate_input, bank=bank)
    console.print(f"[dim]Session {session.id} · {session.type} · brain {session.brain}[/]")
    _local_banner(brain_impl)
    try:
        return runner.run(session).session
    finally:
        if voice is not None:
            voice.close()


def _run_tui(store: SessionStore, bank: QuestionBank, settings: Settings, make_brain, type: str | None,
             resume: str | None, difficulty: int | None, cv: Path | None, answers: Path | None, text: bool,
             input: Path | None, fast: bool, output_audio: Path | None, mute: bool,
             stt_model: str | None, brain_choices: list | None = None) -> Session | None:
    from prepai_cli.agent.tools import LocalToolBox
    from prepai_cli.tui.app import run_tui

    voice_factory = None
    if answers is not None:
        from prepai_cli.tui.scripted import scripted_answers

        voice_factory = scripted_answers(answers)
    elif not text:
        from prepai_cli.tui.voice import voice_factory as make_voice

        # The factory opens the source on a worker thread: a missing microphone shows in the voice panel.
        voice_factory = make_voice(_voice_options(settings, input, fast, output_audio, mute, stt_model), store)
    return run_tui(store, bank, brain_name=settings.brain, candidate=settings.candidate, brain_factory=make_brain,
                   interview_type=type, resume=resume, difficulty=difficulty, questions=settings.questions,
                   minutes=settings.minutes, cv_path=cv, voice_factory=voice_factory,
                   # The app only runs code with it: its evaluator (a second embedding model) loads only if asked.
                   tools=LocalToolBox(bank), brain_choices=brain_choices)


def _local_choices(settings: Settings, bank: QuestionBank, fallback: str | None, debug: bool) -> list:
    """The local model servers running on this machine, for the picker to offer (a few ms when there are none)."""
    from prepai_cli.agent.local_servers import RECOMMENDED_CONTEXT, choose_model, context_window, discover, probe
    from prepai_cli.tui.services import BrainChoice

    if settings.local.base_url:
        found = [s for s in [probe(settings.local.base_url, api_key=settings.local.key)] if s is not None]
    else:
        found = discover()
    choices = []
    for server in found[:1]:  # the brain talks to one server; the first found is the one --brain local would use
        try:
            model = choose_model(server, settings.local.model)
        except PrepAIError:
            continue
        local = settings.model_copy(update={"brain": "local", "local": settings.local.model_copy(
            update={"base_url": server.base_url, "model": model})})
        tokens = settings.local.context_tokens or context_window(server, model).tokens
        short = f" ({tokens}-token context: forgets early answers)" if tokens and tokens < RECOMMENDED_CONTEXT else ""
        choices.append(BrainChoice(name="local", label=f"local: {model} on {server.kind}{short}",
                                   factory=lambda local=local: build_brain(local, bank, fallback=fallback, debug=debug)))
    return choices


def _after_interview(store: SessionStore, bank: QuestionBank, settings: Settings, session: Session, *,
                     say_resume: bool) -> None:
    """Reports are written with the session (sync uploads them) and, when asked for, a background backup starts."""
    from prepai_cli.report.storage import write_session_reports
    from prepai_cli.sync.auto import start_auto_sync

    session = store.get_session(session.id)
    if session.status == "active":
        # Nothing runs it any more (this process is its only runner): it is paused, and resumable.
        session = store.set_status(session.id, "abandoned")
    write_session_reports(store, session.id, bank)
    if session.status == "ended":
        console.print(f"\n[dim]Saved. See your report: prepai report {session.id}[/]")
    elif say_resume:
        console.print(resume_hint(session.id), markup=False)
    if start_auto_sync(settings, session.id) is not None:
        console.print("[dim]Backing up this session to S3 in the background (prepai sync --status).[/]")


def _check_recording_path(path: Path) -> None:
    """--output-audio is checked before a session exists: a bad name must not leave an empty session behind."""
    if path.is_dir():
        raise PrepAIError(f"--output-audio {path} is a folder; give a file name ending in .wav, e.g. {path / 'interviewer.wav'}")
    if path.suffix.lower() != ".wav":
        raise PrepAIError(f"--output-audio {path}: the recording is a WAV file, so its name must end in .wav")
    parent = next((p for p in path.parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise PrepAIError(f"--output-audio {path}: {parent} is a file, not a folder")
def _local_banner(brain: object) -> None:
    """Which server and model `--brain local` found, and a warning when its context is too small."""
    if "prepai_cli.agent.openai_compat" not in sys.modules:
        return  # not a local brain; nothing to import
    from prepai_cli.agent.local_servers import context_warning, is_chat_model
    from prepai_cli.agent.openai_compat import local_target

    target = local_target(brain)
    if target is None:
        return
    others = [m for m in target.server.models if m != target.model and is_chat_model(m)]
    also = f" (also there: {', '.join(others[:5])}; choose with --model)" if others else ""
    console.print(f"[dim]Interviewer: {target.label}{also}[/]")
    warning = context_warning(target.context, target.server)
    if warning:
        console.print(f"[yellow]Warning: {warning}[/]")


def _interactive_stdin() -> bool:
    return sys.stdin.isatty()


def _voice_options(settings: Settings, input: Path | None, fast: bool, output_audio: Path | None, mute: bool,
                   stt_model: str | None) -> "VoiceOptions":
    from prepai_cli.audio.stack import VoiceOptions
    from prepai_cli.audio.stt import resolve_model_dir

    options = VoiceOptions(
        input_path=input, fast=fast, output_audio=output_audio, mute=mute,
        stt_model=stt_model or settings.speech.stt_model, models_dir=paths.models_dir(),
        silence_ms=settings.audio.silence_ms, max_turn_s=settings.audio.max_turn_s,
        silence_checkin_s=settings.audio.silence_checkin_s,
        beam_size=settings.speech.beam_size, speaking_rate=settings.speech.speaking_rate,
        input_device=settings.audio.input_device, output_device=settings.audio.output_device,
    )
    try:
        resolve_model_dir(options.stt_model, options.models_dir)  # an unknown model fails here, before any load
    except PrepAIError as exc:
        if stt_model is not None:
            raise
        # The model came from the config file or PREPAI_SPEECH__STT_MODEL, not from a flag: say so.
        source = setting_source(("speech", "stt_model"))
        raise PrepAIError(str(exc).replace("--stt-model", "speech.stt_model") + f" (from {source})") from None
    return options


def _open_source(options: "VoiceOptions") -> "tuple[AudioSource, VoiceOptions] | None":
    """The candidate's audio source, or None (after one line saying why) when there is no microphone."""
    # Imported here so text-mode interviews never pay for loading the speech libraries.
    from prepai_cli.audio.devices import NoAudioDevice
    from prepai_cli.audio.stack import open_source
    from prepai_cli.interview.device_help import PICK_DEVICE, device_failure_words

    try:
        return open_source(options), options
    except NoAudioDevice as exc:
        console.print(f"No voice input: {device_failure_words(str(exc))}. Type your answers instead (or use "
                      f"--input answers.wav). {PICK_DEVICE}", style="yellow", markup=False, highlight=False)
        return None


def _load_voice(source: "AudioSource", options: "VoiceOptions") -> "VoiceStack":
    from prepai_cli.audio.stack import build_voice_stack

    try:
        return build_voice_stack(options, source, console)
    except BaseException:
        source.close()
        raise
