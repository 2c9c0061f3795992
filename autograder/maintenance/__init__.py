"""The course's own upkeep: commands for instructors and developers, not for grading a class.

``demo``       ``make demo``: a whole round on a throwaway course
``solutions``  ``make solutions``: the solution notebook executed into ``solutions/``
``visible``    ``python -m autograder visible``: the visible checks' expected values
``doctor``     ``python -m autograder sandbox``: what contains student code here, tried
"""
