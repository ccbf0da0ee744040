"""The four tabs of a link setting: 基本情報, オブジェクト, 連携対象, 連携通話履歴."""
