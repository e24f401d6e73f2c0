"""Page script (run by st.navigation); the code lives in views/find.py."""

from views.find import render

render()
