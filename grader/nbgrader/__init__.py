"""nbgrader's side of the course: the autograde and feedback preprocessors that
``nbgrader_config.py`` names, its commands and gradebook, and the bridge that shows a
test cell's hidden points in the instructor's kernel."""
