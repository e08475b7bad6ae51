"""Roster imports: read the files (`read`), match them into a preview (`match`, pure, over the
reads of `queries`), apply the preview in one transaction (`apply`)."""
