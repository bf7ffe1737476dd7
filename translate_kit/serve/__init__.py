"""`translate-kit serve`: an HTTP API and a web page over the library, batching across requests.

Install with `pip install 'translate-kit[serve]'`. `create_app(ServeSettings(...))` gives the ASGI
app; `translate_kit.cli.serve` runs it on uvicorn.
"""
