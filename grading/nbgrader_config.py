# nbgrader configuration of the course; `make assignments` and `make grade` run nbgrader
# in this folder, which is the course root (source/, release/, submitted/, autograded/,
# feedback/ and gradebook.db appear here and are not committed).
c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "regopt"
# A cell that runs longer than this (an endless loop, say) is interrupted and its
# tests fail; the grader moves on to the next cell and the next submission.
c.Execute.timeout = 60
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
# Once the last cell has run, stop the kernel at once instead of waiting for it to exit
# (a graceful shutdown cost about 0.7 s per submission and changes no grade).
c.Execute.shutdown_kernel = "immediate"
# A student who deleted a test cell gets it back before grading (at about its place), so
# deleting a test neither escapes it nor stops the submission from being graded.
c.OverwriteCells.add_missing_cells = True
