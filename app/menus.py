"""The main window's menus: every action once, with its text, tip and shortcut; the window
connects them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar


def action(menu: QMenu, text: str, tip: str, keys: str = "") -> QAction:
    """A menu entry whose tip shows in the status bar and as a tooltip."""
    item = menu.addAction(text)
    item.setToolTip(tip)
    item.setStatusTip(tip)
    if keys:
        item.setShortcut(QKeySequence(keys))
    return item


@dataclass(slots=True)
class MainMenus:
    view: QMenu
    photo: QMenu
    learning: QMenu
    add: QAction
    rescan: QAction
    quit: QAction
    heatmap: QAction
    view_photo: QAction
    open: QAction
    show_folder: QAction
    copy_path: QAction
    similar: QAction
    syntax: QAction
    record: QAction
    clear_clicks: QAction
    improve: QAction
    reset: QAction


def build_main_menus(bar: QMenuBar, view_entries: Callable[[QMenu], None]) -> MainMenus:
    """File, View (the window's own entries first: tabs, panels), Photo, Learning, Help."""
    file_menu = bar.addMenu("&File")
    add = action(file_menu, "&Add folder…", "Add a folder of photos", "Ctrl+O")
    rescan = action(file_menu, "&Rescan folders", "Look for new and changed photos now", "F5")
    file_menu.addSeparator()
    quit_ = action(file_menu, "&Quit", "Close the application", "Ctrl+Q")
    view = bar.addMenu("&View")
    view_entries(view)
    photo = bar.addMenu("&Photo")
    learning = bar.addMenu("&Learning")
    help_menu = bar.addMenu("&Help")
    menus = MainMenus(
        view=view,
        photo=photo,
        learning=learning,
        add=add,
        rescan=rescan,
        quit=quit_,
        heatmap=action(view, "Show &heat-map", "Colour the photo's regions by attention"),
        view_photo=action(photo, "&View", "See the photo large, here (Enter or double-click)"),
        open=action(photo, "Open &with…", "Open in your desktop's photo application"),
        show_folder=action(photo, "Show in &folder", "Show the file in its folder"),
        copy_path=action(photo, "&Copy path", "Copy the file's path", "Ctrl+Shift+C"),
        similar=action(photo, "Find &similar", "Search for photos like this one", "Ctrl+Shift+F"),
        syntax=action(help_menu, "&Search syntax", "How to write queries", "F1"),
        record=action(
            learning,
            "&Record my clicks",
            "Remember, on this computer only, which photos you open after which search",
        ),
        clear_clicks=action(learning, "&Clear recorded clicks", "Forget every recorded click"),
        improve=action(
            learning, "&Improve results from my searches", "Fine-tune the ranking on your clicks"
        ),
        reset=action(
            learning, "Use the &default ranking", "Forget what was learned from your clicks"
        ),
    )
    menus.heatmap.setCheckable(True)
    menus.record.setCheckable(True)
    learning.insertSeparator(menus.improve)
    return menus
