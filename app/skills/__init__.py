"""Skills: short lessons learned from the user's corrections, stored as portable SKILL.md
folders and injected into the system prompt when a request needs them.

- :mod:`app.skills.skill`: the SKILL.md format (read leniently, written atomically).
- :mod:`app.skills.library`: the folders on disk and their searchable database mirror.
- :mod:`app.skills.synthesize`: a negative signal with a directive → a new or strengthened skill.
  It is written by :mod:`app.skills.template` (or a model's :mod:`app.skills.draft`) and
  merged into one it repeats by :mod:`app.skills.merge`.
- :mod:`app.skills.retrieve`: the few skills relevant to a request, within a token budget.
- :mod:`app.skills.outcomes`: whether used skills helped; retiring the ones that do not.
"""
