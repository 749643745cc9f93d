"""The Discord-facing layer: a thin bot class and one cog per audience.

Handlers turn Discord events into calls on the knowledge service and render the Answer
it returns; they never compose answers themselves.
"""
