"""Page script (run by st.navigation); the code lives in views/advice.py."""

from views.advice import render

render()
