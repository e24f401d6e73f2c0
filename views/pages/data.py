"""Page script (run by st.navigation); the code lives in views/data.py."""

from views.data import render

render()
