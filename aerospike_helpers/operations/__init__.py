"""Operation builders for ``client.operate``: each function returns one op dict."""
