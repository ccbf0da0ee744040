"""Application services: the use cases the window and the command line share (validate, then save)."""
