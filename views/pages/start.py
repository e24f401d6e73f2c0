"""Page script (run by st.navigation); the code lives in views/start.py."""

from views.start import render

render()
