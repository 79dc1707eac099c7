"""The desktop window (PySide6). UI only: logic lives in the packages beside this one."""
