"""Table models of the admin window (QAbstractTableModel over plain domain data)."""
