"""What the import wizard's last two pages share, for customers and for purchases alike.

`CheckPage`: the dry run in a worker thread, with a progress bar and a summary line; going Back
stops it, and only the latest check counts. `RunPage`: the import itself in a worker thread, with
Stop, then what happened. Each kind of import says what it checks and writes (`work`), what it
shows, and its own words; the worker thread's database connection is closed when the job ends.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QProgressBar, QPushButton, QWizardPage

from crmdesk.ui.workers import BackgroundJob

Work = Callable[[Callable[[int, int], bool]], object]


def tr(text: str) -> str:
    return QCoreApplication.translate("ImportWizard", text)


def show_progress(bar: QProgressBar, done: int, total: int) -> None:
    bar.setRange(0, max(total, 1))
    bar.setValue(done)


def on_own_connection(session, work: Work) -> Work:
    """`work` run in a worker thread, closing that thread's database connection at its end."""

    def job(progress):
        try:
            return work(progress)
        finally:
            session.db.close()  # this thread's connection

    return job


def save_rows_as(parent, source: str, suffix: str, title: str, write: Callable[[str], int],
                 failed: Callable[[str], None]) -> int | None:
    """Ask where to save rows of the file `source` (offered beside it, its name + `suffix`) and
    write them with `write(path)`: the rows saved, or None when no file was chosen or writing
    failed (then `failed` is told why, in words)."""
    source_path = Path(source)
    start = str(source_path.with_name(source_path.stem + suffix))
    path, _ = QFileDialog.getSaveFileName(parent, title, start, tr("CSV files (*.csv)"))
    if not path:
        return None
    try:
        return write(path)
    except OSError as exc:
        failed(exc.strerror or str(exc))
        return None


class CheckPage(QWizardPage):
    """The dry run, in a worker thread: nothing is written here. A subclass gives `work` (the
    plan, made in the worker thread), `reset` (its widgets emptied), `_planned` (the plan
    shown) and `isComplete`."""

    checked = Signal()

    def __init__(self, state, session, subtitle: str, parent=None):
        super().__init__(parent)
        self.state, self.session = state, session
        self.plan = None
        self.job: BackgroundJob | None = None
        self.setTitle(tr("Before anything is written"))
        self.setSubTitle(subtitle)
        self.setCommitPage(True)
        self.progress = QProgressBar()
        self.summary = QLabel()
        self.summary.setWordWrap(True)

    def work(self) -> Work:
        raise NotImplementedError

    def reset(self) -> None:
        """Empty what the last check showed."""

    def _planned(self, plan) -> None:
        raise NotImplementedError

    def initializePage(self) -> None:  # noqa: N802
        self.plan = None
        self.summary.setText(tr("Checking every row…"))
        self.reset()
        self.progress.setVisible(True)
        self.progress.setRange(0, 0)
        self.job = current = BackgroundJob(on_own_connection(self.session, self.work()), self)
        current.progress.connect(lambda d, t: show_progress(self.progress, d, t))
        # A check stopped by going Back may still report: only the current one counts.
        current.succeeded.connect(lambda plan: current is self.job and self._planned(plan))
        current.failed.connect(lambda message: current is self.job and self.summary.setText(
            tr("The file could not be checked:") + " " + message))
        current.finished.connect(lambda: current is self.job and self._finished())
        current.start()

    def cleanupPage(self) -> None:  # noqa: N802  (going Back: stop the check)
        if self.job is not None:
            self.job.cancel()
            self.job.wait()
            self.job = None

    def _finished(self) -> None:
        self.job = None
        self.progress.setVisible(False)
        self.completeChanged.emit()
        self.checked.emit()


class RunPage(QWizardPage):
    """The import, in a worker thread, with Stop; then what happened. A subclass gives `work`
    (the import, run in the worker thread), `running_text`, `reset`, `_imported` (the result
    shown) and `nothing_written` (its words for a stopped or failed import), and lays out
    `progress`, `message` and `stop`."""

    starting = Signal()  # the job exists and is about to start (Stop works from here)
    done = Signal()

    def __init__(self, state, session, parent=None):
        super().__init__(parent)
        self.state, self.session = state, session
        self.job: BackgroundJob | None = None
        self.result = None
        self.cancelled = False
        self.setTitle(tr("Importing"))
        self.progress = QProgressBar()
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.stop = QPushButton(tr("Stop the import"))
        self.stop.clicked.connect(self.cancel)

    def work(self) -> Work:
        raise NotImplementedError

    def running_text(self) -> str:
        raise NotImplementedError

    def reset(self) -> None:
        """Hide what the last import showed."""

    def _imported(self, result) -> None:
        raise NotImplementedError

    def nothing_written(self, stopped: bool) -> str:
        """The words for an import that wrote nothing: stopped by the user, or failed."""
        raise NotImplementedError

    def initializePage(self) -> None:  # noqa: N802
        self.result, self.cancelled = None, False
        self.message.setText(self.running_text())
        self.progress.setRange(0, 0)
        self.stop.setEnabled(True)
        self.reset()
        self.job = BackgroundJob(on_own_connection(self.session, self.work()), self)
        self.job.progress.connect(lambda d, t: show_progress(self.progress, d, t))
        self.job.succeeded.connect(self._imported)
        self.job.failed.connect(self._failed)
        self.job.finished.connect(self._finished)
        self.starting.emit()
        self.job.start()

    def busy(self) -> bool:
        return self.job is not None

    def cancel(self) -> None:
        if self.job is not None:
            self.cancelled = True
            self.stop.setEnabled(False)
            self.message.setText(tr("Stopping…"))
            self.job.cancel()

    def _failed(self, message: str) -> None:
        if self.cancelled or "cancelled" in message:
            self.setTitle(tr("Import stopped"))
            self.message.setText(self.nothing_written(stopped=True))
        else:
            self.setTitle(tr("The import did not work"))
            self.message.setText(self.nothing_written(stopped=False) + "\n" + message)

    def _finished(self) -> None:
        self.job = None
        self.stop.setVisible(False)
        self.progress.setVisible(False)
        self.completeChanged.emit()
        self.done.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return self.job is None
