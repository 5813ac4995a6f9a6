"""Dialogues: the question an organisation asks, and the ideas residents post in answer."""
