"""The main window's actions, toolbar and menus."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QSizePolicy, QToolBar, QWidget

from crmdesk.ui.icons import icon


def _action(window, icon_name, text, slot, shortcut=None, tip=None) -> QAction:
    action = QAction(icon(icon_name) if icon_name else QIcon(), text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setToolTip(tip)
        action.setStatusTip(tip)
    action.triggered.connect(slot)
    return action


def build_actions(window) -> None:
    """The window's actions, its toolbar and its menus."""
    window.new_action = _action(
        window,
        "add-person",
        window.tr("New customer"),
        window.new_customer,
        QKeySequence.StandardKey.New,
        window.tr("Add a customer (Ctrl+N)"),
    )
    window.edit_action = _action(
        window,
        "edit",
        window.tr("Edit"),
        window.edit_current,
        "Ctrl+E",
        window.tr("Change the chosen customer (Ctrl+E)"),
    )
    window.log_action = _action(
        window,
        "chat",
        window.tr("Log conversation"),
        window.log_current,
        None,
        window.tr("Write down what you talked about (Ctrl+L)"),
    )
    window.trash_action = _action(
        window,
        "trash",
        window.tr("Move to Trash"),
        window.trash_selected,
        None,
        window.tr("Move the chosen customers to Trash (Delete)"),
    )
    window.restore_action = _action(
        window,
        "restore",
        window.tr("Restore from Trash"),
        window.restore_selected,
        None,
        window.tr("Bring the customers chosen in Trash back to the list"),
    )
    window.undo_action = window.undo_stack.createUndoAction(window, window.tr("Undo"))
    window.undo_action.setIcon(icon("undo"))
    window.undo_action.setShortcuts(QKeySequence.StandardKey.Undo)
    window.redo_action = window.undo_stack.createRedoAction(window, window.tr("Redo"))
    window.redo_action.setIcon(icon("redo"))
    window.redo_action.setShortcuts(QKeySequence.StandardKey.Redo)  # Ctrl+Y and Ctrl+Shift+Z
    window.find_action = _action(
        window, "search", window.tr("Find"), window.focus_search, QKeySequence.StandardKey.Find
    )
    window.settings_action = _action(
        window,
        "settings",
        window.tr("Settings…"),
        window.open_settings,
        QKeySequence.StandardKey.Preferences,
    )
    window.sample_action = _action(
        window, "sample-data", window.tr("Load sample customers"), window.load_samples
    )
    window.remove_samples_action = _action(
        window, None, window.tr("Remove sample customers"), window.remove_samples, None,
        window.tr("Move every customer tagged “sample” to Trash (Ctrl+Z undoes it)"),
    )
    window.about_action = _action(window, "info", window.tr("About crmdesk"), window.show_about)
    window.quit_action = _action(
        window, None, window.tr("Quit"), window.request_quit, QKeySequence.StandardKey.Quit
    )

    # Windows (and some desktops) have no standard key for these two: the same keys everywhere.
    for action, key in ((window.settings_action, "Ctrl+,"), (window.quit_action, "Ctrl+Q")):
        if action.shortcut().isEmpty():
            action.setShortcut(QKeySequence(key))

    toolbar = QToolBar(window.tr("Main"))
    toolbar.setObjectName("mainToolbar")
    toolbar.setMovable(False)
    toolbar.setIconSize(QSize(20, 20))
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for action in (window.new_action, window.edit_action, window.log_action, window.trash_action):
        toolbar.addAction(action)
    toolbar.addSeparator()
    toolbar.addAction(window.undo_action)
    toolbar.addAction(window.redo_action)
    spacer = QWidget()
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    toolbar.addWidget(spacer)
    toolbar.addAction(window.settings_action)
    window.addToolBar(toolbar)

    menu = window.menuBar()
    file_menu = window.file_menu = menu.addMenu(window.tr("&File"))
    for action in (
        window.new_action,
        window.sample_action,
        window.remove_samples_action,
        None,
        window.settings_action,
        None,
        window.quit_action,
    ):
        file_menu.addSeparator() if action is None else file_menu.addAction(action)
    file_menu.aboutToShow.connect(window._update_sample_actions)
    edit_menu = window.edit_menu = menu.addMenu(window.tr("&Edit"))
    for action in (
        window.undo_action,
        window.redo_action,
        None,
        window.find_action,
        window.edit_action,
        window.log_action,
        window.trash_action,
        window.restore_action,
    ):
        edit_menu.addSeparator() if action is None else edit_menu.addAction(action)
    go_menu = menu.addMenu(window.tr("&Go"))
    for row, (text, key) in enumerate(
        (
            (window.tr("Customers"), "Ctrl+1"),
            (window.tr("Today"), "Ctrl+2"),
            (window.tr("Trash"), "Ctrl+3"),
        )
    ):
        action = go_menu.addAction(text)
        action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda _=False, r=row: window.nav.setCurrentRow(r))
    help_menu = menu.addMenu(window.tr("&Help"))
    help_menu.addAction(window.about_action)
