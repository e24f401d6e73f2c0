"""Page script (run by st.navigation); the code lives in views/planning.py."""

from views.planning import render

render()
