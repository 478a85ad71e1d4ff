"""session.json is machine-independent: the same session gives the same bytes wherever its files live."""

from __future__ import annotations

from pathlib import Path

from prepai_cli.domain import NewTurn
from prepai_cli.store import SessionStore
from prepai_cli.sync.bundle import bundle_bytes, localise, portable_audio_path, to_bundle


def test_audio_paths_become_relative_to_the_session_folder(store: SessionStore, tmp_path: Path) -> None:
    session = store.create_session("behavioral", "offline", "ada", {"cv_path": "/home/ada/cv.pdf"})
    folder = store.session_dir(session.id)
    elsewhere = tmp_path / "recordings" / "take.wav"
    turns = [
        store.add_turn(session.id, NewTurn(role="candidate", kind="answer", text="a", audio_path="turn-000.wav")),
        store.add_turn(session.id, NewTurn(role="candidate", kind="answer", text="b",
                                           audio_path=str(folder / "turn-001.wav"))),
        store.add_turn(session.id, NewTurn(role="candidate", kind="answer", text="c", audio_path=str(elsewhere))),
    ]
    assert [portable_audio_path(folder, t) for t in turns] == ["turn-000.wav", "turn-001.wav", "audio/turn-002.wav"]

    paths = {t.index: portable_audio_path(folder, t) for t in turns}
    bundle = to_bundle(session, turns, paths, "cv/abc.pdf")
    assert bundle.session.settings["cv_path"] == "cv/abc.pdf"
    assert [t.id for t in bundle.turns] == [1, 2, 3]  # local row ids differ between machines

    other = tmp_path / "other-machine" / session.id
    restored_session, restored_turns = localise(bundle, other)
    assert restored_session.settings["cv_path"] == str(other / "cv/abc.pdf")
    assert [t.audio_path for t in restored_turns] == [str(other / p) for p in paths.values()]
    # Re-exporting the restored copy from its new folder gives byte-identical JSON: nothing to upload again.
    again = {t.index: portable_audio_path(other, t) for t in restored_turns}
    assert bundle_bytes(to_bundle(restored_session, restored_turns, again, "cv/abc.pdf")) == bundle_bytes(bundle)
