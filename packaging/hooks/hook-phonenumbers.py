"""PyInstaller hook for phonenumbers, replacing the contrib hook that collects every submodule.

phonenumbers imports each region's metadata module (``phonenumbers.data.region_JP`` …) on first use, so
those must be collected; its offline geocoding, carrier and time-zone data (about 40 MB) are never used
by BIZTEL Desk and are left out (the spec excludes them too).
"""

from PyInstaller.utils.hooks import collect_submodules

hiddenimports = collect_submodules("phonenumbers.data") + collect_submodules("phonenumbers.shortdata")
