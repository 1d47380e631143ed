"""Optional downloaders (need internet): BACI releases and the UN Comtrade API.

Nothing here runs unless a user asks for a download; every analysis works offline.
"""
