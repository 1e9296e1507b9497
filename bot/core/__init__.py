"""The pure core: knowledge, matching, safety screen, small talk, routine state machine."""
