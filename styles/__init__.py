"""The shipped styles (Jinja layouts, CSS per medium, CSL styles, fonts), installed as the package data
`publish.styles`; publish finds them through `publish.paths`."""
