package web

import (
	"errors"

	"redline/daemon/internal/article"
)

func asErr(err error, target **errUser) bool { return errors.As(err, target) }

func isNotFound(err error) bool { return article.ErrorCode(err) == article.ENOTFOUND }

func isCode(err error, code string) bool { return article.ErrorCode(err) == code }

func errMessage(err error) string { return article.ErrorMessage(err) }
