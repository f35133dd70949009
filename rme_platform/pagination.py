from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination


class RowsFirstPaginator(Paginator):
    """Reads a page's rows before counting: a page with fewer rows than a
    page holds is the last one, and the count is known from it, with no
    COUNT query (most lists fit in their first page; the count of a
    user's visible networks, ORs of subqueries, cost as much as their
    rows). A full or empty page is counted as Django's Paginator does. No
    orphans (DRF's pagination gives none)."""

    def page(self, number):
        try:
            first = int(number)
        except (TypeError, ValueError):
            return super().page(number)  # PageNotAnInteger, as Django says
        if first < 1 or "count" in self.__dict__:
            return super().page(number)
        bottom = (first - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page])
        if len(rows) < self.per_page and (rows or first == 1):
            self.count = bottom + len(rows)  # a cached_property: the count kept
        return self._get_page(rows, self.validate_number(first), self)


class Pagination(PageNumberPagination):
    """Page-number pagination; clients may ask for up to 200 rows a page."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class RowsFirstPagination(Pagination):
    """Pagination whose count comes from a last page when it can
    (RowsFirstPaginator): the networks API. Other lists may take it (their
    query-count tests then count one query fewer)."""

    django_paginator_class = RowsFirstPaginator
