# assignment: gather-all
# expect: rejected not-async-def
def fetch_all(urls, fetch):
    return [fetch(u) for u in urls]
