"""The canonical 进销存 domain. Imports only the standard library and pydantic."""
