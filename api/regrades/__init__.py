"""Regrades: grading existing submissions again (after an assignment's checks change), in
bulk through the grading queue, with progress; a dry run reports without writing."""
