package web

import "redline/daemon/internal/article"

func isNotFound(err error) bool { return article.ErrorCode(err) == article.ENOTFOUND }

func errMessage(err error) string { return article.ErrorMessage(err) }
