"""factory_boy factories for the test suite, one section per app."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from articles.models import Article, Person, Topic

# --- articles -----------------------------------------------------------------


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Dr. Reviewer {n}")
    credentials = "DPT, Sports Physical Therapist"


class TopicFactory(factory.django.DjangoModelFactory[Topic]):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name = factory.LazyAttribute(lambda topic: topic.slug.replace("-", " ").capitalize())
    description = factory.LazyAttribute(lambda topic: f"Everything about {topic.name.lower()}.")


class ArticleFactory(factory.django.DjangoModelFactory[Article]):
    """A live article by default; `ArticleFactory(draft=True)` or `(scheduled=True)` for the hidden kinds."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    class Params:
        draft = factory.Trait(status=Article.Status.DRAFT)
        scheduled = factory.Trait(published_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=7)))

    title = factory.Sequence(lambda n: f"Test article number {n}")
    slug = factory.Sequence(lambda n: f"test-article-{n}")
    summary = "A short summary of a test article."
    body_markdown = "## A heading\n\nSome words about running and backs.\n"
    author = factory.SubFactory(PersonFactory, name="Dr. Test Author")
    reviewer = factory.SubFactory(PersonFactory, name="Dr. Test Reviewer", credentials="MD, Spine Surgeon")
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    updated_at = factory.LazyAttribute(lambda article: article.published_at + timedelta(days=1))

    @factory.post_generation
    def topics(self, create: bool, extracted, **_kwargs) -> None:
        if create and extracted:
            self.topics.set(extracted)
