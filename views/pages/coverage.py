"""Page script (run by st.navigation); the code lives in views/coverage.py."""

from views.coverage import render

render()
