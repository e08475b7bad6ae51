from pdplanner import create_app

app = create_app()
